"""Every path kind a user may give (--data-dir, --config-dir), every id form they paste, the tag
rule, and the CLI's wording: one line, never a traceback, for each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run
from tui_reader.models import normalise_tag
from tui_reader.paper_ids import id_candidates

FIXTURES = Path(__file__).parent / "fixtures"
DAILY = FIXTURES / "hf-daily-2025-03-11.json"


def bad_folders(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of unusable folder, with the words its message must hold."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    return {
        "a file": (a_file, "is a file, not a folder"),
        "under a file": (a_file / "sub", "a part of this path is a file"),
        "in /proc": (Path("/proc/nope"), "cannot be created here"),
        "missing parent under /proc": (Path("/proc/nope/deeper"), "cannot be created here"),
    }


COMMANDS = [["list"], ["list", "--json"], ["star", "x"], ["tag", "x", "y"], ["note", "x", "n"], ["restore"],
            ["export", "--format", "bibtex"], ["import", str(DAILY)], ["open"]]


@pytest.mark.parametrize("kind", ["a file", "under a file", "in /proc", "missing parent under /proc"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_bad_data_folder_is_one_line(capsys, tmp_path, kind, command):
    folder, words = bad_folders(tmp_path)[kind]
    code, out, err = run(capsys, folder, *command)
    assert code == 1 and out == ""
    assert err == f"tui-reader: error: data folder {folder}: {err.split(': ', 3)[-1]}"
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("kind", ["a file", "under a file", "in /proc"])
def test_a_bad_config_folder_stops_the_app_with_one_line(capsys, tmp_path, kind):
    folder, words = bad_folders(tmp_path)[kind]
    code, out, err = run(capsys, tmp_path / "data", "--config-dir", str(folder))
    assert code == 1 and err.startswith(f"tui-reader: error: config folder {folder}: ") and words in err
    assert err.count("\n") == 1


@pytest.fixture
def daily(capsys, tmp_path) -> tuple[Path, str]:
    data = tmp_path / "data"
    code, _, err = run(capsys, data, "import", str(DAILY))
    assert code == 0, err
    first = json.loads(run(capsys, data, "list", "--json")[1])[0]["id"]
    return data, first


def id_forms(arxiv_id: str) -> list[str]:
    return [f"{arxiv_id}v2", f"arXiv:{arxiv_id}", f"arxiv:{arxiv_id}v1", f"https://arxiv.org/abs/{arxiv_id}",
            f"https://arxiv.org/abs/{arxiv_id}v3", f"https://arxiv.org/pdf/{arxiv_id}v1.pdf",
            f"https://huggingface.co/papers/{arxiv_id}", f"10.48550/arXiv.{arxiv_id}",
            f"https://doi.org/10.48550/arXiv.{arxiv_id}"]


def test_every_id_form_names_the_paper_in_every_command(capsys, daily):
    data, pid = daily
    for form in id_forms(pid):
        for command in (["star", form], ["read", form], ["tag", form, "seen"], ["note", form, "n"], ["unstar", form]):
            code, _, err = run(capsys, data, *command)
            assert code == 0, f"{command}: {err}"
        code, out, _ = run(capsys, data, "list", "-q", form)
        assert code == 0 and out[3:].split()[0] == pid and len(out.splitlines()) == 1, form


def test_search_finds_a_paper_by_its_id(capsys, daily):
    data, pid = daily
    code, out, _ = run(capsys, data, "list", "-q", pid)
    assert code == 0 and [line[3:].split()[0] for line in out.splitlines()] == [pid]


def test_a_doi_the_record_carries_names_it(capsys, tmp_path):
    data = tmp_path / "data"
    run(capsys, data, "import", str(FIXTURES / "zotero.bib"))
    papers = json.loads(run(capsys, data, "export", "--format", "json")[1])["papers"]
    with_doi = next(p for p in papers if p.get("doi"))
    for form in (with_doi["doi"], f"doi:{with_doi['doi'].upper()}", f"https://doi.org/{with_doi['doi']}"):
        code, out, err = run(capsys, data, "star", form)
        assert code == 0, err


def test_an_unknown_id_is_one_line(capsys, daily):
    data, _ = daily
    code, _, err = run(capsys, data, "star", "https://arxiv.org/abs/9999.99999")
    assert code == 1 and err == "tui-reader: error: no paper with id 'https://arxiv.org/abs/9999.99999'\n"


def test_id_candidates_read_versions_prefixes_and_urls():
    assert id_candidates("2006.11239v2")[0] == "2006.11239"
    assert id_candidates(" arXiv:hep-th/9901001v1 ")[0] == "hep-th/9901001"
    assert id_candidates("https://huggingface.co/papers/2006.11239")[0] == "2006.11239"
    assert id_candidates("t-3f2a9c1b7d0e") == ["t-3f2a9c1b7d0e"]


@pytest.mark.parametrize("typed, stored", [("#NLP", "nlp"), ("##Vision Models", "vision-models"), (" #sr ", "sr"), ("#", "")])
def test_a_leading_hash_is_not_part_of_a_tag(typed, stored):
    assert normalise_tag(typed) == stored


def test_tags_typed_with_a_hash_in_the_cli_are_found_without_it(capsys, daily):
    data, pid = daily
    assert run(capsys, data, "tag", pid, "#NLP", "#Vision")[0] == 0
    assert json.loads(run(capsys, data, "list", "--json", "-q", "tag:nlp")[1])[0]["tags"] == ["nlp", "vision"]
    assert run(capsys, data, "list", "-q", "tag:#vision")[1][3:].split()[0] == pid
    assert run(capsys, data, "untag", pid, "#nlp")[0] == 0
    assert json.loads(run(capsys, data, "list", "--json", "-q", pid)[1])[0]["tags"] == ["vision"]


def test_wording_is_honest(capsys, tmp_path):
    data = tmp_path / "data"
    code, out, _ = run(capsys, data, "import", str(FIXTURES / "hf-daily-sample-overlap.json"))
    assert code == 0 and "papers (" in out
    again = run(capsys, data, "import", str(FIXTURES / "hf-daily-sample-overlap.json"))[1]
    assert again == "Nothing new from hf-daily-sample-overlap.json: its 3 papers are all already in your library\n"
    pid = json.loads(run(capsys, data, "list", "--json")[1])[0]["id"]
    assert run(capsys, data, "star", pid)[1] == "star: 1 paper changed\n"
    assert run(capsys, data, "star", pid)[1] == "star: nothing to change (already so)\n"


def test_list_says_why_it_is_empty_on_stderr(capsys, tmp_path):
    data = tmp_path / "data"
    code, out, err = run(capsys, data, "list")
    assert (code, out) == (0, "") and "library is empty" in err
    run(capsys, data, "import", str(DAILY))
    code, out, err = run(capsys, data, "list", "-q", "zzzqqq")
    assert (code, out) == (0, "") and err == "No papers match 'zzzqqq'.\n"


def test_the_lock_names_what_holds_it(capsys, tmp_path, monkeypatch):
    from tui_reader.store.library import Library
    from tui_reader.cli import common

    monkeypatch.setattr(common, "STATE_LOCK_WAIT", 0.2)  # the wait is not what is tested here

    data = tmp_path / "data"
    holder = Library(data, purpose=common.purpose_of(type("Args", (), {"command": None})()))
    try:
        code, _, err = run(capsys, data, "star", "x")
    finally:
        holder.close()
    assert code == 1 and "(the tui-reader app, since" in err and "None" not in err


def test_subcommand_help_explains(capsys):
    for command, words in (("import", ["BibTeX", "arXiv API Atom", "backup", "HF daily-papers"]),
                           ("list", ["N marks an unread", "* a starred", "has:project", "is:unstarred"]),
                           ("star", ["arXiv:2006.11239"])):
        code, out, _ = run(capsys, None, command, "--help")
        assert code == 0 and all(word in out for word in words), command


def test_readme_search_table_is_the_query_table():
    from tui_reader.search.query import search_terms_markdown

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert search_terms_markdown() in readme
