"""How two records of the same paper combine (links united, richer fields kept), and two states of one paper."""

from __future__ import annotations

from dataclasses import replace

from tui_reader.links import merge_links
from tui_reader.models import Paper, PaperState, is_arxiv_id


def _richer_text(old: str, new: str) -> str:
    """The longer of two texts: an abstract from the API beats a truncated one from a page."""
    return new if len(new.strip()) > len(old.strip()) else old


def _union(old: list[str], new: list[str]) -> list[str]:
    return old + [item for item in new if item not in old]


def merge_papers(old: Paper, new: Paper) -> Paper:
    """`old` updated with what `new` knows. The result keeps old's library fields (added, order)."""
    merged_id = new.id if is_arxiv_id(new.id) and not is_arxiv_id(old.id) else old.id
    aliases = _union(old.aliases, new.aliases)
    if merged_id != old.id and old.id not in aliases:
        aliases.append(old.id)
    return replace(
        old,
        id=merged_id,
        title=old.title or new.title,
        abstract=_richer_text(old.abstract, new.abstract),
        authors=new.authors if len(new.authors) > len(old.authors) else old.authors,
        published=old.published or new.published,
        source=new.source or old.source,
        sources=_union(old.sources, new.sources),
        links=merge_links(old.links, new.links),
        # counts change over time: the newest known value wins
        upvotes=new.upvotes if new.upvotes is not None else old.upvotes,
        comments=new.comments if new.comments is not None else old.comments,
        github_stars=new.github_stars if new.github_stars is not None else old.github_stars,
        keywords=_union(old.keywords, new.keywords),
        categories=_union(old.categories, new.categories),
        ai_summary=new.ai_summary or old.ai_summary,
        arxiv_comment=new.arxiv_comment or old.arxiv_comment,
        doi=old.doi or new.doi,
        submitted=old.submitted or new.submitted,
        aliases=aliases,
    )


def unite_states(mine: PaperState, theirs: PaperState) -> PaperState:
    """Two states of one paper as one, field by field: flags and tags add up, two different notes
    are both kept (mine first), the earlier time of each mark and the later update."""
    if theirs == mine:
        return mine
    if theirs.note and mine.note and theirs.note not in mine.note:
        note = theirs.note if mine.note in theirs.note else f"{mine.note}\n\n{theirs.note}"
    else:
        note = mine.note or theirs.note
    return PaperState(
        read=mine.read or theirs.read,
        starred=mine.starred or theirs.starred,
        tags=mine.tags + [t for t in theirs.tags if t not in mine.tags],
        note=note,
        read_at=_earlier(mine.read_at, theirs.read_at) if mine.read or theirs.read else None,
        starred_at=_earlier(mine.starred_at, theirs.starred_at) if mine.starred or theirs.starred else None,
        updated=max(filter(None, (mine.updated, theirs.updated)), default=None),
    )


def _earlier(a: str | None, b: str | None) -> str | None:
    return min(filter(None, (a, b)), default=None)
