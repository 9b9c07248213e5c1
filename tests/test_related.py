"""Related papers and For you: the tf-idf model, its derived file, and the command line."""

from __future__ import annotations

import json

import subprocess

import pytest

from cli_helpers import run
from tui_reader.models import Paper
from tui_reader.search import related
from tui_reader.store.library import Library

FILLER = [
    ("Diffusion Models for Image Synthesis", "We train a denoising diffusion model that synthesises images from noise with a learned score."),
    ("Reinforcement Learning for Robot Control", "A policy gradient agent learns locomotion from rewards in a physics simulator."),
    ("Speech Recognition with Transformers", "An encoder transformer transcribes spoken audio into text with a connectionist loss."),
    ("Graph Networks for Molecules", "Message passing over molecular graphs predicts chemical properties of small molecules."),
    ("Retrieval Augmented Generation", "A language model retrieves documents from an index before it generates an answer."),
    ("Video Generation at Scale", "A latent video model generates clips from text prompts with temporal attention."),
    ("Protein Structure Prediction", "Predicting the folded structure of proteins from amino acid sequences with attention."),
    ("Quantised Language Models", "Weights of large language models are quantised to four bits with little loss in accuracy."),
]


def paper(pid: str, title: str, abstract: str, **fields) -> Paper:
    return Paper(id=pid, title=title, abstract=abstract, source="test", sources=["test"], **fields)


def filler() -> list[Paper]:
    return [paper(f"2401.{i:05d}", title, abstract) for i, (title, abstract) in enumerate(FILLER)]


@pytest.fixture
def library(tmp_path):
    with Library(tmp_path / "lib") as lib:
        yield lib


def model_of(library: Library) -> related.RelatedModel:
    return related.ensure(library.papers)


def ids_of(library: Library, matches) -> list[str]:
    return [library.papers.ids[m.row] for m in matches]


# -- Related ------------------------------------------------------------------------------------


def test_a_near_duplicate_is_related_first(library):
    target = paper("2402.00001", "Sparse Mixture of Experts Routing for Efficient Language Models",
                   "We route each token to two of sixty-four experts with a learned gate, balancing the load "
                   "across experts, and train a sparse mixture of experts language model at a fraction of the compute.")
    near = paper("2402.00002", "Efficient Language Models by Sparse Mixture-of-Experts Routing",
                 "Each token is routed to two of sixty-four experts by a learned gate that balances the load "
                 "across experts; the sparse mixture of experts language model trains at a fraction of the compute.")
    library.import_papers([*filler(), target, near])
    model = model_of(library)
    matches = model.related(library.papers.row["2402.00001"], n=5)
    assert ids_of(library, matches)[0] == "2402.00002"
    assert matches[0].score > 0.5 > matches[1].score
    assert {"experts", "gate"} & set(matches[0].terms)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_related_never_lists_the_paper_itself_and_says_nothing_for_a_lone_paper(library):
    library.import_papers([paper("2403.00001", "A Lone Paper", "Words no other paper holds.")])
    model = model_of(library)
    assert model.related(0) == []


# -- For you ------------------------------------------------------------------------------------


def test_for_you_ranks_papers_sharing_rare_words_with_the_stars_above_those_sharing_none(library):
    stars = [
        paper("2405.00001", "Phonon Transport in Quasicrystals", "Thermal phonon transport in icosahedral quasicrystals measured by neutron scattering."),
        paper("2405.00002", "Quasicrystal Growth from the Melt", "Icosahedral quasicrystals grow from the melt; neutron scattering shows their phason strain."),
        paper("2405.00003", "Phason Dynamics", "Phason flips in quasicrystals are seen by neutron scattering at high temperature."),
    ]
    sharing = paper("2405.00010", "Neutron Studies of Icosahedral Order", "Neutron scattering on icosahedral quasicrystals reveals phason disorder.")
    none = [paper(f"2405.0002{i}", f"Generic Study {i}", text) for i, text in enumerate(
        ["We propose a method and show results on benchmarks.", "A model is trained on data and evaluated on tasks."])]
    library.import_papers([*filler(), *stars, sharing, *none])
    library.set_starred([p.id for p in stars])
    model = model_of(library)
    scores, classifier = related.for_you_scores(model, library.papers.row, library.states)
    order = related.for_you_order(list(library.ordered_ids()), scores, library.papers.row, library.states)
    candidates = [pid for pid in order if not library.state(pid).starred]
    assert candidates[0] == "2405.00010"
    assert all(candidates.index("2405.00010") < candidates.index(p.id) for p in none)
    assert set(order[-3:]) == {p.id for p in stars}  # the stars themselves go after the suggestions
    why = model.why(library.papers.row["2405.00010"], classifier)
    assert set(why) & {"quasicrystals", "neutron", "phason", "icosahedral", "scattering"}


def test_for_you_without_stars_has_nothing_to_learn_from(library):
    library.import_papers(filler())
    assert related.for_you_scores(model_of(library), library.papers.row, library.states) is None


def test_more_like_a_tag_learns_from_the_tagged_papers(library):
    library.import_papers(filler())
    library.add_tags(["2401.00000", "2401.00005"], ["gen"])  # diffusion images, video generation
    model = model_of(library)
    scores, _ = related.for_you_scores(model, library.papers.row, library.states, tag="gen")
    untagged = [pid for pid in library.papers.ids if "gen" not in library.state(pid).tags]
    best = max(untagged, key=lambda pid: scores[library.papers.row[pid]])
    assert best in {"2401.00004", "2401.00001", "2401.00006", "2401.00007", "2401.00002", "2401.00003"}


# -- the derived file ---------------------------------------------------------------------------


def test_the_model_file_is_rebuilt_after_a_catalog_change(library):
    library.import_papers(filler())
    first = model_of(library)
    path = related.model_path(library.folder)
    assert path.exists() and first.rows == len(FILLER)
    library.import_papers([paper("2406.00001", "Denoising Diffusion for Audio", "A diffusion model synthesises audio from noise.")])
    assert related.load(library.folder, library.papers.generation, len(library.papers)) is None  # stale
    second = model_of(library)
    assert second.rows == len(FILLER) + 1 and second.generation == library.papers.generation
    again = related.load(library.folder, library.papers.generation, len(library.papers))
    assert again is not None and again.rows == second.rows


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_model_file_is_rebuilt_not_trusted(library, damage):
    library.import_papers(filler())
    good = model_of(library)
    path = related.model_path(library.folder)
    raw = bytearray(path.read_bytes())
    if damage == "flip":
        raw[-40] ^= 0x55  # in the body: only the checksum notices
    elif damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "garbage":
        raw = bytearray(b"\x00\xff not a model" * 10)
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    assert related.load(library.folder, library.papers.generation, len(library.papers)) is None
    rebuilt = model_of(library)
    assert (rebuilt.matrix != good.matrix).nnz == 0 and rebuilt.terms == good.terms
    assert path.read_bytes() == related.encode(good)


def test_the_stored_model_answers_as_the_built_one(library, sample_path):
    from tui_reader.sources import read_source

    library.import_papers(read_source(sample_path).papers)
    built = related.build_catalog(library.papers)
    related.write(library.folder, built)
    loaded = related.load(library.folder, library.papers.generation, len(library.papers))
    for row in (0, 17, 80):
        assert loaded.related(row) == built.related(row)


def test_the_background_builder_writes_the_model(library):
    library.import_papers(filler())
    process = related.spawn_build(library.folder)
    assert process is not None and process.wait(timeout=120) == 0
    assert related.load(library.folder, library.papers.generation, len(library.papers)) is not None


def test_a_builder_started_during_another_build_waits_for_it_and_succeeds(library):
    """The app reads the model when its builder ends: a second builder (an import, a second app
    while a build runs) must not end at once with nothing built."""
    import fcntl

    library.import_papers(filler())
    with open(library.folder / ".related.building", "wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another build is under way
        process = related.spawn_build(library.folder)
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1.0)  # a bound for the test, no measurement: it waits its turn
    assert process.wait(timeout=120) == 0
    assert related.load(library.folder, library.papers.generation, len(library.papers)) is not None


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def sample_dir(capsys, tmp_path, sample_path):
    folder = tmp_path / "cli"
    assert run(capsys, folder, "import", str(sample_path))[0] == 0
    return folder


def test_cli_related_lists_the_models_answer_as_list_json_objects(capsys, sample_dir):
    with Library(sample_dir, read_only=True) as library:
        pid = library.papers.ids[5]
        expected = related.ensure(library.papers).related(5, n=4)
        expected_ids = ids_of(library, expected)
    code, out, err = run(capsys, sample_dir, "related", pid, "-n", "4", "--json")
    assert code == 0, err
    records = json.loads(out)
    assert [r["id"] for r in records] == expected_ids
    assert [r["score"] for r in records] == [round(m.score, 4) for m in expected]
    code, listed_out, _ = run(capsys, sample_dir, "list", "--json")
    plain = {r["id"]: r for r in json.loads(listed_out)}
    for record in records:
        assert {k: v for k, v in record.items() if k not in ("score", "why")} == plain[record["id"]]
        assert record["why"]
    code, out, _ = run(capsys, sample_dir, "related", pid, "-n", "2")
    assert code == 0 and len(out.splitlines()) == 2 and expected_ids[0] in out.splitlines()[0]


def test_cli_related_of_an_unknown_paper_is_one_line(capsys, sample_dir):
    code, out, err = run(capsys, sample_dir, "related", "9999.99999")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "9999.99999" in err


def test_cli_for_you_without_stars_says_what_it_needs(capsys, sample_dir):
    code, out, err = run(capsys, sample_dir, "list", "--sort", "for-you")
    assert code == 1 and out == ""
    assert "star a few papers" in err and len(err.strip().splitlines()) == 1


def test_cli_for_you_puts_unread_suggestions_first_with_scores(capsys, sample_dir):
    with Library(sample_dir, read_only=True) as library:
        ids = library.papers.ids
    starred, read = ids[5], ids[62]  # self-distillation; "Random Teachers are Good Teachers"
    assert run(capsys, sample_dir, "star", starred, ids[24])[0] == 0
    assert run(capsys, sample_dir, "read", read)[0] == 0
    code, out, err = run(capsys, sample_dir, "list", "--sort", "for-you", "--json")
    assert code == 0, err
    records = json.loads(out)
    assert len(records) == 81
    flags = [(r["read"] or r["starred"]) for r in records]
    assert flags == sorted(flags)  # suggestions first, then the read or starred ones
    suggestions = [r for r in records if not (r["read"] or r["starred"])]
    assert [r["score"] for r in suggestions] == sorted((r["score"] for r in suggestions), reverse=True)
    assert all(isinstance(r["why"], list) for r in records)
    code, text, _ = run(capsys, sample_dir, "list", "--sort", "for-you", "--query", "is:unread")
    assert [line.split()[2] for line in text.splitlines()] == [r["id"] for r in records if not r["read"]]


# -- quality against hand labels ------------------------------------------------------------------


def test_on_the_sample_page_for_you_and_related_beat_a_random_order_twice_over(library, sample_path):
    """The labels (tests/fixtures/sample-topics.json) are topics given by hand; bench/related_quality.py
    reports the full figures."""
    from tui_reader.sources import read_source

    labels = {pid: e["topic"] for pid, e in json.loads((sample_path.parents[2] / "tests" / "fixtures" / "sample-topics.json").read_text())["topics"].items()}
    library.import_papers(read_source(sample_path).papers)
    assert set(labels) == set(library.papers.ids)
    rl = [pid for pid in library.papers.ids if labels[pid] == "rl"]
    library.set_starred(rl[:3])
    model = model_of(library)
    scores, _ = related.for_you_scores(model, library.papers.row, library.states)
    top = [pid for pid in related.for_you_order(library.papers.ids, scores, library.papers.row, library.states)
           if not library.state(pid).starred][:10]
    random_share = (len(rl) - 3) / (len(labels) - 3)
    assert sum(labels[pid] == "rl" for pid in top) / 10 >= 2 * random_share
    ids = library.papers.ids
    hits = [sum(labels[ids[m.row]] == labels[pid] for m in model.related(library.papers.row[pid], 5)) / 5 for pid in ids]
    random_related = sum((list(labels.values()).count(labels[pid]) - 1) / 80 for pid in ids) / len(ids)
    assert sum(hits) / len(hits) >= 2 * random_related
