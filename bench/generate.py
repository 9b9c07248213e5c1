"""Realistic synthetic libraries for the benchmarks, as HF daily-papers API JSON (what `import` reads),
or in the format of arXiv's metadata snapshot (one JSON record per line).

    .venv/bin/python bench/generate.py 1000 10000 100000      # writes bench/out/hf-api-<N>.json
    .venv/bin/python bench/generate.py --snapshot 1000000     # writes bench/out/arxiv-snapshot-<N>.json

Each paper: a title of ~80 characters (most start with a unique method name, "ZorvaNet: ..."), an
abstract of ~1,200 characters, 1-12 authors, 0-3 links (GitHub repo, project page, a link in the
abstract), upvotes, AI keywords, a publication date. Deterministic for a given N (seeded).

The user state (a few hundred tags over ~10% of papers; stars, notes on ~2%; ~5% read) is returned
by `state_plan(N)` and applied through the Library by `bench/run` after the import, the way a user's
actions would land in state.json.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

import orjson

OUT = Path(__file__).resolve().parent / "out"

TOPICS = (
    "diffusion models video generation language models reinforcement learning vision transformers "
    "multimodal reasoning retrieval augmented generation speech recognition text-to-image synthesis "
    "3D reconstruction neural radiance fields gaussian splatting code generation instruction tuning "
    "preference optimization mixture of experts state space models long-context modeling robotics "
    "manipulation embodied agents graph neural networks protein folding image segmentation object "
    "detection point clouds knowledge distillation quantization sparse attention tokenization "
    "mathematical reasoning chain-of-thought hallucination detection visual question answering "
    "autonomous driving world models federated learning continual learning time series forecasting"
).split()
ADJ = (
    "Efficient Scalable Robust Unified Adaptive Sparse Hierarchical Generalizable Controllable "
    "Self-Supervised Zero-Shot Few-Shot Compositional Interpretable Lightweight Fast Faithful Dense "
    "Multi-View Training-Free Long-Horizon Fine-Grained Open-Vocabulary Consistent Aligned"
).split()
NOUN = (
    "Framework Benchmark Transformers Agents Representations Policies Decoders Encoders Tokenizers "
    "Priors Adapters Experts Rewards Embeddings Pipelines Models Datasets Objectives Retrievers "
    "Planners Critics Simulators Evaluators"
).split()
VERBS = "Scaling Rethinking Towards Learning Improving Revisiting Unleashing Aligning Bridging Taming Boosting Distilling".split()
SYLLABLES = "ka lo mi ra ve zo nu ti sa pe qu xi ba do fe gu hy ja ro se ta vi wu ya ze ar el in on ur".split()
SUFFIX = "Net GPT Former Diff Gen LM Bench Mamba Flow VLA Splat Agent Coder Mind Vision Voice Seg".split()
WORDS = (
    "we propose present introduce novel method approach model framework that which achieves improves "
    "outperforms state-of-the-art baselines across benchmarks tasks datasets results show demonstrate "
    "experiments extensive significant performance accuracy efficiency training inference data large "
    "scale pretrained fine-tuning parameters compute memory latency throughput evaluation human "
    "quality diverse challenging settings existing prior work however limited ability generalize "
    "unseen domains key insight simple effective strategy leverages structure learned features "
    "attention layers tokens sequence context window objective loss function optimization gradient "
    "stable robust noise adversarial alignment safety reward feedback open-source release code "
    "weights community further analysis reveals ablation studies components contribute gains"
).split()
FIRST = "Wei Li Ana Maria Jun Yuki Omar Sara David Chen Priya Lucas Elena Hao Ivan Fatima Tom Mei Raj Nina Jonas Aiko Pablo Lena".split()
LAST = "Zhang Wang Smith Garcia Kim Nguyen Müller Rossi Kumar Tanaka Silva Cohen Ivanova Brown Li Liu Park Novak Ahmed Dubois Costa Sato Jensen Okafor".split()


def method_name(rng: random.Random, index: int) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2))).capitalize()
    # index-derived letters keep names unique within a library
    tag = ""
    n = index
    while True:
        tag += "BCDFGHJKLMNPRSTVWXZ"[n % 19]
        n //= 19
        if not n:
            break
    return f"{stem}{tag.lower()}{rng.choice(SUFFIX)}"


def make_title(rng: random.Random, name: str | None) -> str:
    topic = " ".join(rng.sample(TOPICS, 2)).title()
    parts = [rng.choice(VERBS), rng.choice(ADJ), topic, "with", rng.choice(ADJ), rng.choice(NOUN)]
    body = " ".join(parts)
    while len(body) < 60:
        body += f" for {rng.choice(TOPICS).title()}"
    title = f"{name}: {body}" if name else body
    return title[:110]


def make_abstract(rng: random.Random, name: str | None, links: list[str]) -> str:
    sentences = []
    topic = " ".join(rng.sample(TOPICS, 2))
    sentences.append(f"Recent advances in {topic} have enabled impressive progress, yet {rng.choice(TOPICS)} remains challenging.")
    if name:
        sentences.append(f"We introduce {name}, a {rng.choice(ADJ).lower()} {rng.choice(NOUN).lower()[:-1]} for {rng.choice(TOPICS)}.")
    length = sum(len(s) for s in sentences)
    target = rng.randint(900, 1500)
    while length < target:
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 24))]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(TOPICS))
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    for url in links:
        sentences.append(f"Code and models are available at {url}.")
    return " ".join(sentences)


def make_entry(rng: random.Random, index: int, n: int, day0: date) -> dict:
    # spread over ~5 years, newest last (the API lists a day's papers; a big dump is chronological)
    day = day0 + timedelta(days=int(index * 5 * 365 / n))
    arxiv = f"{day.year % 100:02d}{day.month:02d}.{10000 + index % 90000:05d}"
    name = method_name(rng, index) if rng.random() < 0.7 else None
    title = make_title(rng, name)
    repo = f"https://github.com/{rng.choice(LAST).lower()}-lab/{(name or 'project').lower()}" if rng.random() < 0.35 else None
    page = f"https://{(name or 'proj').lower()}.github.io/" if rng.random() < 0.15 else None
    in_text = [f"https://github.com/{rng.choice(FIRST).lower()}/{rng.choice(TOPICS)}-{index}"] if rng.random() < 0.1 else []
    authors = [{"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"} for _ in range(rng.randint(1, 12))]
    published = f"{day.isoformat()}T00:00:00.000Z"
    paper = {
        "id": arxiv,
        "title": title,
        "summary": make_abstract(rng, name, in_text),
        "authors": authors,
        "publishedAt": published,
        "upvotes": int(rng.paretovariate(1.2)) - 1,
        "ai_keywords": rng.sample(TOPICS, rng.randint(3, 7)),
    }
    if repo:
        paper["githubRepo"] = repo
    if page:
        paper["projectPage"] = page
    return {
        "paper": paper,
        "title": title,
        "numComments": rng.randint(0, 5),
        "submittedOnDailyAt": published,
    }


def entries(n: int) -> list[dict]:
    rng = random.Random(n)
    day0 = date(2020, 1, 1)
    return [make_entry(rng, i, n, day0) for i in range(n)]


def state_plan(ids: list[str]) -> dict[str, dict]:
    """What the user did, per paper id: tags on ~10% (a few hundred tags), stars and notes on ~2%, ~5% read."""
    rng = random.Random(len(ids) + 1)
    n_tags = max(20, min(400, len(ids) // 250))
    tags = [f"{rng.choice(TOPICS)}-{i}" for i in range(n_tags)]
    weights = [1 / (i + 1) for i in range(n_tags)]  # a few big tags, a long tail
    plan: dict[str, dict] = {}
    for pid in ids:
        roll = rng.random()
        state: dict = {}
        if roll < 0.10:
            state["tags"] = list(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(1, 3))))
        if rng.random() < 0.02:
            state["starred"] = True
        if rng.random() < 0.02:
            state["note"] = f"Read section {rng.randint(2, 6)}; compare with {rng.choice(TOPICS)} baselines. " * rng.randint(1, 4)
        if rng.random() < 0.05:
            state["read"] = True
        if state:
            plan[pid] = state
    return plan


def path_for(n: int) -> Path:
    return OUT / f"hf-api-{n}.json"


def generate(n: int) -> Path:
    return write_once(path_for(n), lambda f: f.write(orjson.dumps(entries(n))))


def write_once(path: Path, write) -> Path:
    """`path`, written by write(file) through a temp file unless it is already there."""
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            write(f)
        tmp.replace(path)
    return path


# -- arXiv metadata snapshot ----------------------------------------------------------------------

CATEGORIES = (
    "cs.LG cs.CV cs.CL cs.AI stat.ML cs.RO cs.IR cs.NE math.OC math.PR math.ST quant-ph hep-th hep-ph "
    "astro-ph.CO astro-ph.GA cond-mat.mes-hall cond-mat.str-el physics.optics eess.SP eess.IV q-bio.NC econ.EM"
).split()
OLD_ARCHIVES = "hep-th hep-ph hep-lat gr-qc astro-ph cond-mat quant-ph math.GT math.AG nucl-th".split()
WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
TEX = ("$\\mathcal{O}(n \\log n)$", "$\\alpha$-divergence", "$\\ell_1$", "\\emph{in situ}", "$\\mathbb{R}^d$")


def wrap(text: str, width: int = 78, indent: str = "") -> str:
    """Hard-wrapped at about `width`, as arXiv's titles and abstracts are."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + indent).join(lines)


def snapshot_record(rng: random.Random, index: int, n: int, numbers: dict) -> dict:
    """One record as arxiv-metadata-oai-snapshot.json has it: ~5% old-style ids (1995-2006), the
    rest new-style over 2007-2025; wrapped title and abstract, some TeX, a code link in ~10% of the
    comments, a journal-ref and a DOI on ~30%."""
    old_style = rng.random() < 0.05
    if old_style:
        day = date(1995, 1, 1) + timedelta(days=int(index * 12 * 365 / n))
        archive = rng.choice(OLD_ARCHIVES)
        key = (archive, day.year, day.month)
        while numbers.get(key, 0) >= 999:  # a month of an archive is full: the next archive
            archive = OLD_ARCHIVES[(OLD_ARCHIVES.index(archive) + 1) % len(OLD_ARCHIVES)]
            key = (archive, day.year, day.month)
        numbers[key] = numbers.get(key, 0) + 1
        arxiv_id = f"{archive}/{day.year % 100:02d}{day.month:02d}{numbers[key]:03d}"
        categories = [archive] + rng.sample(CATEGORIES, rng.randint(0, 1))
    else:
        day = date(2007, 4, 1) + timedelta(days=int(index * 18.5 * 365 / n))
        key = (day.year, day.month)
        numbers[key] = numbers.get(key, 0) + 1
        digits = 4 if day.year < 2015 else 5
        arxiv_id = f"{day.year % 100:02d}{day.month:02d}.{numbers[key]:0{digits}d}"
        categories = rng.sample(CATEGORIES, rng.randint(1, 3))
    name = method_name(rng, index) if rng.random() < 0.5 else None
    title = make_title(rng, name)
    if rng.random() < 0.1:
        title = f"{title} with {rng.choice(TEX)}"
    abstract = pooled_abstract(rng, name)
    if rng.random() < 0.1:
        abstract = abstract.replace(" we ", f" we use {rng.choice(TEX)} ", 1)
    people = [(rng.choice(LAST), rng.choice(FIRST)) for _ in range(rng.randint(1, 12))]
    comments = f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures"
    if rng.random() < 0.1:
        comments += f". Code: https://github.com/{people[0][0].lower()}-lab/{(name or 'code').lower()}{index}"
    published = rng.random() < 0.3
    created = f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 GMT"
    versions = [{"version": "v1", "created": created}]
    if rng.random() < 0.4:
        versions.append({"version": "v2", "created": created})
    return {
        "id": arxiv_id,
        "submitter": f"{people[0][1]} {people[0][0]}",
        "authors": ", ".join(f"{first} {last}" for last, first in people[:-1])
                   + (" and " if len(people) > 1 else "") + f"{people[-1][1]} {people[-1][0]}",
        "title": wrap(title, 70, "  "),
        "comments": comments if rng.random() < 0.8 else None,
        "journal-ref": f"J. Synth. Res. {rng.randint(1, 80)} ({day.year}) {rng.randint(1, 999)}" if published else None,
        "doi": f"10.{rng.randint(1000, 9999)}/jsr.{day.year}.{index}" if published else None,
        "report-no": None,
        "categories": " ".join(categories),
        "license": None,
        "abstract": "  " + wrap(abstract) + "\n",
        "versions": versions,
        "update_date": (day + timedelta(days=rng.randint(0, 400))).isoformat(),
        "authors_parsed": [[last, first, ""] for last, first in people],
    }


_SENTENCES: list[str] = []


def pooled_abstract(rng: random.Random, name: str | None) -> str:
    """An abstract of ~1,000 characters from a pool of sentences (a million abstracts word by word
    took most of an hour here), opened like make_abstract's."""
    if not _SENTENCES:
        pool = random.Random(0)
        for _ in range(20_000):
            words = [pool.choice(WORDS) for _ in range(pool.randint(10, 24))]
            if pool.random() < 0.5:
                words.insert(pool.randrange(len(words)), pool.choice(TOPICS))
            _SENTENCES.append(" ".join(words).capitalize() + ".")
    topic = " ".join(rng.sample(TOPICS, 2))
    parts = [f"Recent advances in {topic} have enabled impressive progress, yet {rng.choice(TOPICS)} remains challenging."]
    if name:
        parts.append(f"We introduce {name}, a {rng.choice(ADJ).lower()} {rng.choice(NOUN).lower()[:-1]} for {rng.choice(TOPICS)}.")
    parts += rng.sample(_SENTENCES, rng.randint(5, 9))
    return " ".join(parts)


def snapshot_path_for(n: int) -> Path:
    return OUT / f"arxiv-snapshot-{n}.json"


def generate_snapshot(n: int) -> Path:
    """Written a record at a time: a million records are never in memory together."""

    def write(f) -> None:
        rng = random.Random(n)
        numbers: dict = {}
        for i in range(n):
            f.write(orjson.dumps(snapshot_record(rng, i, n, numbers)) + b"\n")

    return write_once(snapshot_path_for(n), write)


if __name__ == "__main__":
    args = sys.argv[1:]
    snapshot = "--snapshot" in args
    for arg in [a for a in args if a != "--snapshot"] or ["1000", "10000", "100000"]:
        p = generate_snapshot(int(arg)) if snapshot else generate(int(arg))
        print(f"{p}  {p.stat().st_size / 2**20:.1f} MiB")
