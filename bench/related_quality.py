#!/usr/bin/env python3
"""How good are Related and For you? Measured on the bundled sample page (81 papers) against topic
labels given by hand (tests/fixtures/sample-topics.json: vision, llm, rl, ssl, dl-theory, other).

    .venv/bin/python bench/related_quality.py

For you   for each topic, TRIALS seeded draws of three papers of that topic are starred; precision@10
          is the share of the view's first ten papers (unread, unstarred) with that topic.
Related   for every paper, precision@5 is the share of its five related papers with its topic.
Random    the precision a random order gets on average: (papers of the topic left) / (papers left).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_reader.cli.common import sample_batch  # noqa: E402
from tui_reader.models import PaperState  # noqa: E402
from tui_reader.search import related  # noqa: E402
from tui_reader.store.library import Library  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "sample-topics.json"
TRIALS = 20
STARS = 3


def topics() -> dict[str, str]:
    return {pid: entry["topic"] for pid, entry in json.loads(LABELS.read_text())["topics"].items()}


def measure() -> tuple[list[tuple], list[tuple]]:
    labels = topics()
    with tempfile.TemporaryDirectory() as folder, Library(Path(folder)) as library:
        library.import_papers(sample_batch().papers)
        model = related.ensure(library.papers)
        ids, row = library.papers.ids, library.papers.row
        by_topic: dict[str, list[str]] = {}
        for pid in ids:
            by_topic.setdefault(labels[pid], []).append(pid)
        for_you = []
        for topic, members in sorted(by_topic.items()):
            if len(members) < STARS + 5:
                continue
            rng = random.Random(topic)
            hits = []
            for _ in range(TRIALS):
                starred = rng.sample(members, STARS)
                states = {pid: PaperState(starred=True) for pid in starred}
                model._classifier = None
                scores, _ = related.for_you_scores(model, row, states)
                view = [pid for pid in related.for_you_order(ids, scores, row, states) if pid not in states][:10]
                hits.append(sum(labels[pid] == topic for pid in view) / len(view))
            baseline = (len(members) - STARS) / (len(ids) - STARS)
            for_you.append((topic, len(members), statistics.mean(hits), min(hits), baseline))
        related_rows = []
        for topic, members in sorted(by_topic.items()):
            precisions = []
            for pid in members:
                matches = model.related(row[pid], 5)
                precisions.append(sum(labels[ids[m.row]] == topic for m in matches) / 5)
            related_rows.append((topic, len(members), statistics.mean(precisions), (len(members) - 1) / (len(ids) - 1)))
    return for_you, related_rows


def main() -> int:
    for_you, related_rows = measure()
    print(f"For you, precision@10 after starring {STARS} papers of one topic ({TRIALS} seeded draws each)\n")
    print("topic | papers | precision@10 (mean) | worst draw | random")
    print("--- | --- | --- | --- | ---")
    for topic, n, mean, worst, baseline in for_you:
        print(f"{topic} | {n} | {mean:.2f} | {worst:.2f} | {baseline:.2f}")
    weights = [n for _, n, *_ in for_you]
    print(f"all (weighted by papers) | {sum(weights)} | {sum(w * r[2] for w, r in zip(weights, for_you)) / sum(weights):.2f} | "
          f"| {sum(w * r[4] for w, r in zip(weights, for_you)) / sum(weights):.2f}")
    print("\nRelated, precision@5 of every paper against its own topic\n")
    print("topic | papers | precision@5 (mean) | random")
    print("--- | --- | --- | ---")
    for topic, n, mean, baseline in related_rows:
        print(f"{topic} | {n} | {mean:.2f} | {baseline:.2f}")
    total = sum(n for _, n, *_ in related_rows)
    print(f"all papers | {total} | {sum(n * m for _, n, m, _ in related_rows) / total:.2f} | "
          f"{sum(n * b for _, n, _, b in related_rows) / total:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
