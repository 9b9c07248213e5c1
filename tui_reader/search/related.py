"""Related papers and "For you": tf-idf vectors of the library's papers and a linear classifier over
the user's stars (the arxiv-sanity-lite recipe), all on this machine.

The model is one tf-idf row per catalog row, built by scikit-learn's TfidfVectorizer from the title
(counted twice), abstract, keywords and authors (each author one term, `au_first_last`): English stop
words dropped, terms in fewer than 2 papers or in more than half of them dropped, sublinear term
frequency, rows of unit length. So:
  Related   the cosine similarity of two rows (0..1), best first;
  For you   a LinearSVC trained on the starred rows against the others (balanced class weights),
            its decision value per paper: above 0 leans to the starred side, higher is closer;
  Why       the terms that add most to a score: the largest products of the two rows' weights
            (Related), or of the row's weights and the classifier's (For you).

The model is a derived file (related.model) in the data folder, checked the way store/derived.py
checks the index: tied to the catalog's generation token and to a CRC-32 of its body, written
atomically, rebuilt whenever it is missing, stale or damaged (a damaged cache costs a rebuild,
never a wrong answer or a crash). The classifier is not stored: training on the stars reuses the
stored rows and is quick.

Core module (no Textual). It imports numpy/scipy at the top and scikit-learn when it builds or
trains, so nothing on the app's first screen may import it: callers import it lazily.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
from scipy import sparse

from tui_reader.errors import StorageWriteError
from tui_reader.locations import CATALOG_FILE
from tui_reader.models import PaperState
from tui_reader.search import background

MODEL_FILE = "related.model"
VERSION = 1
MAGIC = b"tui-reader related\n"
TITLE_WEIGHT = 2  # the title is counted this many times: it says what the paper is about
MIN_PAPERS = 2  # a term must be in at least this many papers to say two papers are alike
MAX_SHARE = 0.5  # ...and in at most this share of them (else it says nothing)
NEGATIVES = 5_000  # For you trains on the stars against at most this many other papers (seeded sample)
SVM_C = 0.01  # as arxiv-sanity-lite; on the sample page 0.1 and 1 did no better
WHY_TERMS = 3
AUTHOR_PREFIX = "au_"
_NON_WORD = re.compile(r"\W+")


# -- the text of a paper ------------------------------------------------------------------------


def author_term(name: str) -> str:
    """One term per author, so that "Wei Zhang" is not two common words."""
    return AUTHOR_PREFIX + _NON_WORD.sub("_", name.lower()).strip("_")


def document(doc: Mapping) -> str:
    """The text the model reads for one catalog record (a raw record or a Paper's dict)."""
    title = doc.get("title") or ""
    parts = [title] * TITLE_WEIGHT
    parts.append(doc.get("abstract") or "")
    parts.extend(doc.get("keywords") or ())
    parts.extend(author_term(a) for a in doc.get("authors") or () if isinstance(a, str))
    return "\n".join(parts)


def shown_term(term: str) -> str:
    """A term as the user reads it ("au_wei_zhang" -> "Wei Zhang")."""
    if term.startswith(AUTHOR_PREFIX):
        return term[len(AUTHOR_PREFIX):].replace("_", " ").title()
    return term


# -- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    row: int
    score: float
    terms: tuple[str, ...]  # the shared terms that weigh most, as shown to the user


class RelatedModel:
    """The tf-idf rows of one catalog generation (row i = catalog row i)."""

    def __init__(self, matrix: sparse.csr_matrix, terms: Sequence[str], generation: str):
        self.matrix = matrix
        self.terms = terms
        self.generation = generation
        self._classifier: tuple[tuple[int, ...], np.ndarray, float] | None = None
        self._columns: sparse.csc_matrix | None = None

    @property
    def rows(self) -> int:
        return self.matrix.shape[0]

    # Related

    def columns(self) -> sparse.csc_matrix:
        """The rows by term (each term's papers), made on first use: a paper's similarities then
        cost the papers sharing its terms, not a pass over every stored weight."""
        if self._columns is None:
            self._columns = self.matrix.tocsc()
        return self._columns

    def related(self, row: int, n: int = 5, why: int = WHY_TERMS) -> list[Match]:
        """The `n` rows most like `row` (cosine similarity > 0), best first; ties by row."""
        if not 0 <= row < self.rows or not self.matrix.shape[1]:
            return []
        vector = self.matrix[row]
        if not vector.nnz:
            return []
        scores = np.asarray(self.columns()[:, vector.indices] @ vector.data).ravel()
        scores[row] = 0.0
        best = _top(scores, n)
        return [Match(int(r), float(scores[r]), self.shared_terms(row, int(r), why)) for r in best]

    def shared_terms(self, row: int, other: int, k: int = WHY_TERMS) -> tuple[str, ...]:
        a, b = self.matrix[row], self.matrix[other]
        common, ia, ib = np.intersect1d(a.indices, b.indices, assume_unique=True, return_indices=True)
        weights = a.data[ia] * b.data[ib]
        return self._terms_of(common, weights, k)

    # For you

    def train(self, positive_rows: Iterable[int]) -> tuple[np.ndarray, float] | None:
        """A linear classifier of the starred rows against the rest: (weights, bias); None without
        stars. The last one is kept, so the same stars are not trained on twice."""
        positives = tuple(sorted({r for r in positive_rows if 0 <= r < self.rows}))
        if not positives or not self.matrix.shape[1]:
            return None
        if self._classifier is not None and self._classifier[0] == positives:
            return self._classifier[1], self._classifier[2]
        negatives = np.setdiff1d(np.arange(self.rows), np.array(positives), assume_unique=True)
        if len(negatives) > NEGATIVES:
            negatives = np.sort(np.random.default_rng(0).choice(negatives, NEGATIVES, replace=False))
        if not len(negatives):
            return None
        from sklearn.svm import LinearSVC

        rows = np.concatenate([np.array(positives), negatives])
        labels = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))])
        svm = LinearSVC(class_weight="balanced", C=SVM_C, max_iter=10_000, random_state=0)
        svm.fit(self.matrix[rows], labels)
        weights, bias = svm.coef_.ravel().astype(np.float32), float(svm.intercept_[0])
        self._classifier = (positives, weights, bias)
        return weights, bias

    def scores(self, classifier: tuple[np.ndarray, float]) -> np.ndarray:
        weights, bias = classifier
        return self.matrix @ weights + bias

    def why(self, row: int, classifier: tuple[np.ndarray, float], k: int = WHY_TERMS) -> tuple[str, ...]:
        """The row's terms that push its For-you score up most."""
        vector = self.matrix[row]
        return self._terms_of(vector.indices, vector.data * classifier[0][vector.indices], k)

    def _terms_of(self, columns: np.ndarray, weights: np.ndarray, k: int) -> tuple[str, ...]:
        keep = weights > 0
        columns, weights = columns[keep], weights[keep]
        order = np.lexsort((columns, -weights))[:k]
        return tuple(shown_term(self.terms[int(c)]) for c in columns[order])


def _top(scores: np.ndarray, n: int) -> list[int]:
    """Rows of the `n` highest positive scores, best first (ties: lower row first)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > n:
        part = np.argpartition(-scores[candidates], n - 1)[:n]
        threshold = scores[candidates[part]].min()
        candidates = candidates[scores[candidates] >= threshold]
    order = np.lexsort((candidates, -scores[candidates]))[:n]
    return candidates[order].tolist()


# -- building, the file ----------------------------------------------------------------------


def build(documents: Iterable[str], rows: int, generation: str) -> RelatedModel:
    """The model of `rows` documents (read once, as they come: 100,000 texts are never all kept)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", min_df=MIN_PAPERS, max_df=MAX_SHARE,
                                 sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(documents)
        terms = vectorizer.get_feature_names_out().tolist()
    except ValueError:  # no term is in two papers (an empty or tiny library)
        matrix, terms = sparse.csr_matrix((rows, 0), dtype=np.float32), []
    matrix = sparse.csr_matrix(matrix, dtype=np.float32)
    matrix.sort_indices()
    return RelatedModel(matrix, terms, generation)


def encode(model: RelatedModel) -> bytes:
    """The file: MAGIC, one JSON header line (padded so the arrays start 8-aligned), then the body:
    indptr (int64), indices (int32), data (float32), the terms joined by newlines."""
    m = model.matrix
    body = b"".join((np.asarray(m.indptr, dtype=np.int64).tobytes(), np.asarray(m.indices, dtype=np.int32).tobytes(),
                     np.asarray(m.data, dtype=np.float32).tobytes(), "\n".join(model.terms).encode("utf-8")))
    header = orjson.dumps({"version": VERSION, "generation": model.generation, "rows": m.shape[0],
                           "terms": m.shape[1], "nnz": int(m.nnz), "body": len(body), "crc32": zlib.crc32(body)})
    head = MAGIC + header
    head += b" " * (-(len(head) + 1) % 8) + b"\n"
    return head + body


def decode(payload, generation: str, rows: int) -> RelatedModel | None:
    """The model in `payload` when it is whole and belongs to this catalog generation, else None."""
    try:
        if bytes(payload[: len(MAGIC)]) != MAGIC:
            return None
        end = payload.find(b"\n", len(MAGIC))
        header = orjson.loads(bytes(payload[len(MAGIC): end]))
        if (header.get("version") != VERSION or header.get("generation") != generation
                or header.get("rows") != rows):
            return None
        body = memoryview(payload)[end + 1:]
        if len(body) != header["body"] or zlib.crc32(body) != header["crc32"]:
            return None
        n, nnz, width = header["rows"], header["nnz"], header["terms"]
        at = 0
        indptr = np.frombuffer(body, dtype=np.int64, count=n + 1, offset=at)
        at += 8 * (n + 1)
        indices = np.frombuffer(body, dtype=np.int32, count=nnz, offset=at)
        at += 4 * nnz
        data = np.frombuffer(body, dtype=np.float32, count=nnz, offset=at)
        at += 4 * nnz
        terms = bytes(body[at:]).decode("utf-8").split("\n") if width else []
        if len(terms) != width or indptr[0] != 0 or indptr[-1] != nnz or np.any(np.diff(indptr) < 0):
            return None
        if nnz and (int(indices.min()) < 0 or int(indices.max()) >= width):
            return None
        matrix = sparse.csr_matrix((data, indices, indptr), shape=(n, width), copy=False)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, orjson.JSONDecodeError):
        return None
    return RelatedModel(matrix, terms, generation)


def model_path(folder: Path) -> Path:
    return Path(folder) / MODEL_FILE


def load(folder: Path, generation: str, rows: int) -> RelatedModel | None:
    """The stored model when it is valid for this catalog, else None."""
    try:
        payload = model_path(folder).read_bytes()
    except OSError:
        return None
    return decode(payload, generation, rows)


def write(folder: Path, model: RelatedModel) -> bool:
    """Store the model atomically (temp file, fsync, rename); False when it cannot be written."""
    from tui_reader.store.files import atomic_write_bytes

    try:
        atomic_write_bytes(model_path(folder), encode(model))
    except StorageWriteError:
        return False
    return True


def build_catalog(catalog) -> RelatedModel:
    """The model of an open Catalog (its records read one at a time, not cached)."""
    return build((document(doc) for doc in catalog.records()), len(catalog), catalog.generation)


def ensure(catalog, *, build_missing: bool = True, store: bool = True) -> RelatedModel | None:
    """The valid model of `catalog`: loaded, or (when `build_missing`) built now and stored."""
    model = load(catalog.folder, catalog.generation, len(catalog))
    if model is None and build_missing:
        model = build_catalog(catalog)
        if store:
            write(catalog.folder, model)
    return model


def build_file(folder: Path) -> bool:
    """Build and store the model of the folder's catalog (the background process's job)."""
    from tui_reader.store.catalog import Catalog

    catalog = Catalog(Path(folder) / CATALOG_FILE, writable=False)
    try:
        catalog.load()
    except Exception:  # a damaged catalog is the app's to report, not a builder's
        return False
    if not catalog.generation:
        return False
    if load(catalog.folder, catalog.generation, len(catalog)) is not None:
        return True
    return write(catalog.folder, build_catalog(catalog))


def spawn_build(folder: Path) -> subprocess.Popen | None:
    """`build_file(folder)` in a separate low-priority process (see background.py)."""
    return background.spawn("tui_reader.search.related", folder)


# -- orders the CLI and the app share -------------------------------------------------------


def starred_rows(row_of: Mapping[str, int], states: Mapping[str, PaperState]) -> list[int]:
    return [row_of[pid] for pid, state in states.items() if state.starred and pid in row_of]


def tagged_rows(row_of: Mapping[str, int], states: Mapping[str, PaperState], tag: str) -> list[int]:
    return [row_of[pid] for pid, state in states.items() if tag in state.tags and pid in row_of]


def for_you_scores(model: RelatedModel, row_of: Mapping[str, int], states: Mapping[str, PaperState],
                   tag: str | None = None) -> tuple[np.ndarray, tuple[np.ndarray, float]] | None:
    """Every row's For-you score and the classifier behind it, trained on the starred papers (or,
    with `tag`, on the papers carrying it: "More like #tag"); None when there are none."""
    positives = tagged_rows(row_of, states, tag) if tag else starred_rows(row_of, states)
    classifier = model.train(positives)
    if classifier is None:
        return None
    return model.scores(classifier), classifier


def held_rows(row_of: Mapping[str, int], states: Mapping[str, PaperState]) -> list[int]:
    """The rows of the papers For you does not suggest: read or starred already."""
    return [row_of[pid] for pid, state in states.items() if (state.read or state.starred) and pid in row_of]


def for_you_order(ids: Sequence[str], scores: np.ndarray, row_of: Mapping[str, int],
                  states: Mapping[str, PaperState]) -> list[str]:
    """`ids` with the papers For you suggests (unread, unstarred) first, best score first, then the
    others, best first; ties keep the given order."""
    if not ids:
        return []
    rows = np.fromiter(map(row_of.__getitem__, ids), dtype=np.int64, count=len(ids))
    order = ranked_positions(rows, scores, held_rows(row_of, states))
    return np.array(ids, dtype=object)[order].tolist()  # a gather in C, not a loop over 100,000 ids


def for_you_view_order(mask: bytes, order_rows: Sequence[int], scores: np.ndarray, ids: Sequence[str],
                       held: Sequence[int] = ()) -> list[str]:
    """The ids of the papers in a view (`mask`: one byte per catalog row, 1 in the view), ordered
    as for_you_order does with the view's ids given in the library's order (`order_rows`: the
    catalog rows in that order; `ids`: the catalog's ids by row). The app's views come as masks."""
    order_rows = np.asarray(order_rows, dtype=np.intp)
    rows = order_rows[np.frombuffer(mask, dtype=bool, count=len(ids))[order_rows]]
    if not len(rows):
        return []
    return np.array(ids, dtype=object)[rows[ranked_positions(rows, scores, held)]].tolist()


_POSITION_BITS = 30  # one sort key per row: held (bit 63), descending score (bits 30-61), position


def ranked_positions(rows: np.ndarray, scores: np.ndarray, held: Sequence[int]) -> np.ndarray:
    """Positions in `rows`: the rows not in `held` first, then by descending score, ties by position.
    The three keys are packed in one integer per row and sorted as plain numbers: the stable sort
    on two keys it replaces took several times longer. Scores are finite (a linear model's)."""
    count = len(rows)
    if scores.dtype != np.float32 or count >= 1 << _POSITION_BITS:  # not what the model gives: two keys
        held_mask = np.zeros(len(scores), dtype=bool)
        held_mask[np.asarray(held, dtype=np.intp)] = True
        return np.lexsort((-scores[rows], held_mask[rows]))
    score = scores[rows] + np.float32(0.0)  # -0.0 ties with 0.0, as in a sort
    bits = score.view(np.uint32).astype(np.uint64)
    # IEEE floats sort as integers once negative ones have every bit flipped and positive ones the sign bit
    ascending = np.where(bits >> np.uint64(31) == 1, bits ^ np.uint64(0xFFFFFFFF), bits | np.uint64(0x80000000))
    key = (np.uint64(0xFFFFFFFF) - ascending) << np.uint64(_POSITION_BITS)
    key |= np.arange(count, dtype=np.uint64)
    if len(held):
        held_mask = np.zeros(len(scores), dtype=np.uint64)
        held_mask[np.asarray(held, dtype=np.intp)] = np.uint64(1) << np.uint64(63)
        key |= held_mask[rows]
    key.sort()
    return (key & np.uint64((1 << _POSITION_BITS) - 1)).astype(np.intp)


def main(argv: list[str]) -> int:
    # the app reads the model once this process ends: behind another build it waits, not fails
    return background.run_build(lambda folder: build_file(Path(folder)), argv, ".related.building", wait=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
