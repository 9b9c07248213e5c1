"""When two records are one work, and how they combine: links united, richer fields kept; and
how two states of one paper unite (`unite_states`).

Same arXiv id or DOI: the same work. Same title: the same work only if nothing contradicts it
(`same_work`); otherwise the newcomer gets an id of its own (`distinct_id`), stable across imports.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace

from tui_reader.links import merge_links
from tui_reader.models import Paper, PaperState, is_arxiv_id, normalise_title


def same_work(old: Paper, new: Paper) -> bool:
    """Whether two records that share a title (or a title id) are one work. A contradiction is:
    two different arXiv ids or DOIs, two different BibTeX keys (a library lists a work once),
    two different entry types, years more than one apart, or author lists with no family name
    in common."""
    if old.arxiv_id and new.arxiv_id:
        return old.arxiv_id == new.arxiv_id
    if old.doi and new.doi:
        return old.doi.casefold() == new.doi.casefold()
    if old.cite_key and new.cite_key and old.cite_key != new.cite_key:
        return False
    if old.entry_type and new.entry_type and old.entry_type != new.entry_type:
        return False
    old_year, new_year = _year(old), _year(new)
    if old_year and new_year and abs(old_year - new_year) > 1:
        return False
    if old.authors and new.authors and not (_families(old.authors) & _families(new.authors)):
        return False
    return True


def distinct_id(paper: Paper, attempt: int = 0) -> str:
    """A title id for a work that shares its title with another: title, first author, year and
    type hashed, so the same record gets the same id on every import."""
    parts = [normalise_title(paper.title), *sorted(_families(paper.authors[:1])), str(_year(paper) or ""), paper.entry_type, paper.cite_key]
    if attempt:
        parts.append(str(attempt))
    return "t-" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def separate_works(papers: list[Paper]) -> None:
    """Give each record of one import that shares its id with an earlier, different work (same
    title, contradicting details) an id of its own, in place."""
    seen: dict[str, list[Paper]] = {}
    for paper in papers:
        if is_arxiv_id(paper.id):
            continue
        others = seen.get(paper.id)
        if others and not any(same_work(other, paper) for other in others):
            base = paper.id
            for attempt in range(1000):
                paper.id = distinct_id(paper, attempt)
                if paper.id not in seen:
                    break
            seen.setdefault(base, []).append(paper)
        seen.setdefault(paper.id, []).append(paper)


def _year(paper: Paper) -> int | None:
    text = (paper.published or "")[:4]
    return int(text) if text.isdigit() else None


def _families(authors: list[str]) -> set[str]:
    """Family names, accent- and case-free: "Thomas Stützle" and "Stutzle, T." share "stutzle"."""
    names = set()
    for author in authors:
        family = author.split(",", 1)[0] if "," in author else (author.split() or [""])[-1]
        family = unicodedata.normalize("NFKD", family)
        family = re.sub(r"[^\w]", "", "".join(c for c in family if not unicodedata.combining(c))).casefold()
        if family:
            names.add(family)
    return names


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
        affiliations={**new.affiliations, **old.affiliations},
        entry_type=old.entry_type or new.entry_type,
        cite_key=old.cite_key or new.cite_key,
        # a re-import of the same entry brings its edits; another entry of the work does not mix in
        bibtex=new.bibtex if new.bibtex and new.cite_key == old.cite_key else old.bibtex or new.bibtex,
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
        hidden=mine.hidden or theirs.hidden,
    )


def _earlier(a: str | None, b: str | None) -> str | None:
    return min(filter(None, (a, b)), default=None)
