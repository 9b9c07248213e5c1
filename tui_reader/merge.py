"""How two records of the same paper combine: links united, richer fields kept, state untouched."""

from __future__ import annotations

from dataclasses import replace

from tui_reader.links import merge_links
from tui_reader.models import Paper, is_arxiv_id


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
        journal_ref=new.journal_ref or old.journal_ref,
        submitted=old.submitted or new.submitted,
        aliases=aliases,
    )
