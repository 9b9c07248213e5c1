"""`tui-reader fetch hf|arxiv` against a real HTTP server on 127.0.0.1 serving recorded-format responses.

The server's first path segment picks a behaviour (`/ok`, `/flaky` = 500 then 200, `/busy` = 429 then
200, `/down` = always 503, `/hang` = never answers, `/html` = a 200 that is not the API), the rest is
the API path, so `--base-url http://127.0.0.1:PORT/flaky` exercises retries through the real client.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tui_reader.store.library import Library
from cli_helpers import run, listed, catalog

FIXTURES = Path(__file__).parent / "fixtures"
HF_DAY = "2025-03-11"
HF_ENTRIES = json.loads((FIXTURES / "hf-daily-2025-03-11.json").read_text("utf-8"))
ARXIV_PAGES = {0: (FIXTURES / "arxiv-page-1.xml").read_bytes(), 3: (FIXTURES / "arxiv-page-2.xml").read_bytes()}
EMPTY_FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    b'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">5</opensearch:totalResults>'
    b"</feed>"
)


class ApiServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, query) of every request
        self.hits: dict[str, int] = {}
        self.hf_entries = HF_ENTRIES
        self.release = threading.Event()  # lets hanging handlers go at teardown
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                mode, _, api = parts.path.lstrip("/").partition("/")
                server.requests.append((parts.path, query))
                count = server.hits[mode] = server.hits.get(mode, 0) + 1
                if mode == "hang":
                    server.release.wait(30)
                    return
                if mode == "down" or (mode == "flaky" and count == 1):
                    return self.send(503 if mode == "down" else 500, b"upstream error", "text/plain")
                if mode == "busy" and count == 1:
                    return self.send(429, b"slow down", "text/plain", {"Retry-After": "0"})
                if mode == "html":
                    return self.send(200, b"<html><body>Sign in</body></html>", "text/html")
                if api == "api/daily_papers":
                    return self.daily_papers(query)
                if api == "api/query":
                    return self.arxiv(query)
                self.send(404, b"not found", "text/plain")

            def daily_papers(self, query: dict[str, str]) -> None:
                entries = server.hf_entries if query.get("date") in (None, HF_DAY) else []
                page, limit = int(query.get("p", 0)), int(query.get("limit", 50))
                body = json.dumps(entries[page * limit : (page + 1) * limit], ensure_ascii=False)
                self.send(200, body.encode("utf-8"), "application/json; charset=utf-8")

            def arxiv(self, query: dict[str, str]) -> None:
                body = ARXIV_PAGES.get(int(query.get("start", 0)), EMPTY_FEED)
                self.send(200, body, "application/atom+xml; charset=utf-8")

            def send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{mode}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(local_fetch_env):
    api = ApiServer()
    yield api
    api.close()


def fetch_hf(capsys, data_dir: Path, base: str, *extra: str) -> tuple[int, str, str]:
    return run(capsys, data_dir, "fetch", "hf", "--date", HF_DAY, "--base-url", base, "--page-size", "5", *extra)


# -- Hugging Face daily papers -----------------------------------------------------------------


def test_fetch_hf_pages_through_and_stores_every_entry_once(server, capsys, tmp_path):
    code, out, err = fetch_hf(capsys, tmp_path, server.url("ok"))
    assert code == 0, err
    assert "12 new" in out
    pages = [(q["p"], q["limit"], q["date"]) for path, q in server.requests]
    assert pages == [("0", "5", HF_DAY), ("1", "5", HF_DAY), ("2", "5", HF_DAY)]  # 5 + 5 + a short page of 2

    records = listed(capsys, tmp_path)
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(e["paper"]["id"] for e in HF_ENTRIES)
    assert len(set(ids)) == 12
    assert ids == [e["paper"]["id"] for e in HF_ENTRIES]  # the API's order is kept


def test_fetch_hf_maps_the_fields(server, capsys, tmp_path):
    assert fetch_hf(capsys, tmp_path, server.url("ok"))[0] == 0
    records = {r["id"]: r for r in listed(capsys, tmp_path)}
    eureka = records["2503.07365"]
    assert eureka["title"] == "MM-Eureka: Exploring Visual Aha Moment with Rule-based Large-scale Reinforcement Learning"
    assert eureka["authors"][:2] == ["Fanqing Meng", "Lingxiao Du"] and len(eureka["authors"]) == 6
    assert eureka["published"] == "2025-03-10"
    # hard wraps joined, the paragraph break kept
    assert eureka["abstract"].startswith("We present MM-Eureka, a multimodal reasoning model that successfully extends large-scale rule-based reinforcement learning (RL)")
    assert "\n\nOur work reproduces" in eureka["abstract"]
    assert eureka["links"] == [
        {"url": "https://github.com/ModalMinds/MM-EUREKA", "kind": "code"},
        {"url": "https://arxiv.org/abs/2503.07365", "kind": "arxiv"},
        {"url": "https://arxiv.org/pdf/2503.07365", "kind": "pdf"},
        {"url": "https://huggingface.co/papers/2503.07365", "kind": "hf"},
    ]
    assert eureka["read"] is False and eureka["starred"] is False  # new papers arrive unread

    # entries without githubRepo have no code link unless their abstract names one
    seed = records["2503.07703"]
    assert [l["kind"] for l in seed["links"]] == ["project", "arxiv", "pdf", "hf"]
    assert not [l for l in records["2503.07604"]["links"] if l["kind"] in ("code", "project")]
    vision = records["2503.06749"]  # githubRepo and the same repo in the abstract: one link
    assert [l["url"] for l in vision["links"]].count("https://github.com/Osilly/Vision-R1") == 1

    psi = records["2503.06680"]
    assert psi["title"] == "Ψ-Sampler: Initial Particle Sampling for SMC-Based Inference-Time Reward Alignment in Score Models — Straße, café, 漢字"
    assert "Jürgen Müller" in psi["authors"]

    papers = catalog(tmp_path)
    assert papers["2503.07365"].upvotes == 58
    assert papers["2503.07365"].comments == 3
    assert papers["2503.07365"].github_stars == 612
    assert papers["2503.07365"].keywords == ["multimodal reasoning", "rule-based reinforcement learning", "aha moment"]
    assert papers["2503.07365"].ai_summary.startswith("MM-Eureka extends")
    assert papers["2503.07365"].submitted == HF_DAY
    assert papers["2503.07365"].sources == ["hf-api"]
    assert papers["2503.07604"].github_stars is None
    withdrawn = papers["2503.07572"]
    assert withdrawn.arxiv_comment == "Withdrawn on 2025-03-12"
    assert withdrawn.title == "Optimizing Test-Time Compute via Meta Reinforcement Fine-Tuning"


def test_second_hf_fetch_adds_nothing(server, capsys, tmp_path):
    assert fetch_hf(capsys, tmp_path, server.url("ok"))[0] == 0
    first = listed(capsys, tmp_path)
    code, out, err = fetch_hf(capsys, tmp_path, server.url("ok"))
    assert code == 0, err
    assert out.startswith("Nothing new from HF daily papers")
    assert listed(capsys, tmp_path) == first


def test_hf_500_then_200_is_retried(server, capsys, tmp_path):
    code, out, err = fetch_hf(capsys, tmp_path, server.url("flaky"))
    assert code == 0, err
    assert server.hits["flaky"] == 4  # one 500, then the three pages
    assert len(listed(capsys, tmp_path)) == 12


def test_hf_429_then_200_is_retried(server, capsys, tmp_path):
    code, out, err = fetch_hf(capsys, tmp_path, server.url("busy"))
    assert code == 0, err
    assert server.hits["busy"] == 4
    assert len(listed(capsys, tmp_path)) == 12


def test_hf_server_that_keeps_failing_gives_up_and_touches_nothing(server, capsys, tmp_path, sample_path):
    assert run(capsys, tmp_path, "import", str(sample_path))[0] == 0
    before = listed(capsys, tmp_path)
    catalog_bytes = (tmp_path / "papers.json").read_bytes()
    code, out, err = fetch_hf(capsys, tmp_path, server.url("down"))
    assert code == 1
    assert err.startswith("tui-reader: error: 127.0.0.1 answered HTTP 503 Service Unavailable after 4 tries")
    assert len(err.strip().splitlines()) == 1
    assert server.hits["down"] == 4  # bounded
    assert listed(capsys, tmp_path) == before
    assert (tmp_path / "papers.json").read_bytes() == catalog_bytes


def test_hf_server_that_never_answers_ends_with_a_clear_error(server, capsys, tmp_path, sample_path):
    assert run(capsys, tmp_path, "import", str(sample_path))[0] == 0
    before = listed(capsys, tmp_path)
    code, out, err = fetch_hf(capsys, tmp_path, server.url("hang"), "--timeout", "1")
    assert code == 1
    assert err == "tui-reader: error: 127.0.0.1 did not answer within 1 s; try again later\n"
    assert server.hits["hang"] == 1  # a timeout is not retried: the user asked for 1 s
    assert listed(capsys, tmp_path) == before


def test_hf_a_failure_on_a_later_page_stores_nothing(server, capsys, tmp_path):
    server.hf_entries = HF_ENTRIES[:5] + [{"paper": "not an object"}] + HF_ENTRIES[6:]
    code, out, err = fetch_hf(capsys, tmp_path, server.url("ok"))
    assert code == 1
    assert "not an HF daily-papers response (item 1 is not an HF daily-papers entry" in err
    assert not (tmp_path / "papers.json").exists() or listed(capsys, tmp_path) == []


def test_hf_offline_is_one_clear_line(server, capsys, tmp_path):
    port = server.httpd.server_address[1]
    server.close()  # nothing listens on the port any more
    code, out, err = run(capsys, tmp_path, "fetch", "hf", "--base-url", f"http://127.0.0.1:{port}/ok")
    assert code == 1
    assert err.startswith("tui-reader: error: could not reach 127.0.0.1 (") and err.endswith("are you offline?\n")


def test_hf_answer_that_is_not_the_api(server, capsys, tmp_path):
    code, out, err = fetch_hf(capsys, tmp_path, server.url("html"))
    assert code == 1
    assert "not an HF daily-papers response (not valid JSON" in err


def test_hf_base_url_from_environment_and_limit(server, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TUI_READER_HF_URL", server.url("ok"))
    code, out, err = run(capsys, tmp_path, "fetch", "hf", "--week", "2025-W11", "--sort", "trending", "--limit", "7", "--page-size", "5")
    assert code == 0, err
    assert [(q["p"], q["limit"], q["week"], q["sort"]) for _, q in server.requests] == [
        ("0", "5", "2025-W11", "trending"), ("1", "5", "2025-W11", "trending"),
    ]  # fmt: skip
    assert [r["id"] for r in listed(capsys, tmp_path)] == [e["paper"]["id"] for e in HF_ENTRIES[:7]]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "2025-02-30"], "not a date: '2025-02-30' (expected YYYY-MM-DD)"),
        (["--week", "2025-11"], "not a week: '2025-11' (expected YYYY-Www, e.g. 2025-W11)"),
        (["--month", "2025-13"], "not a month: '2025-13' (expected YYYY-MM)"),
    ],
)
def test_hf_bad_dates_fail_before_any_request(server, capsys, tmp_path, args, message):
    code, out, err = run(capsys, tmp_path, "fetch", "hf", "--base-url", server.url("ok"), *args)
    assert (code, err) == (1, f"tui-reader: error: {message}\n")
    assert server.requests == []


# -- arXiv -------------------------------------------------------------------------------------


def fetch_arxiv(capsys, data_dir: Path, base: str, *extra: str) -> tuple[int, str, str]:
    return run(capsys, data_dir, "fetch", "arxiv", "diffusion", "--base-url", base, "--page-size", "3", "--delay", "0", *extra)


def test_fetch_arxiv_pages_and_maps_fields(server, capsys, tmp_path):
    code, out, err = fetch_arxiv(capsys, tmp_path, server.url("ok"))
    assert code == 0, err
    assert "5 new" in out
    queries = [(q["search_query"], q["start"], q["max_results"]) for _, q in server.requests]
    assert queries == [("all:diffusion", "0", "3"), ("all:diffusion", "3", "3")]  # totalResults 5: two pages

    records = {r["id"]: r for r in listed(capsys, tmp_path)}
    assert sorted(records) == sorted(["2303.06373", "2502.01234", "hep-th/9901001", "math/0309136", "2411.00042"])
    first = records["2303.06373"]
    assert first["title"] == "Recursive Diffusion Samplers for Image Restoration: A Study of Step Schedules"
    assert first["abstract"].startswith("Diffusion models restore degraded images by reversing a noising process, but their samplers")
    assert "\n\nExperiments on deblurring" in first["abstract"]
    assert first["authors"] == ["Ada Lovelace", "Jürgen Schmidhuber"]
    assert first["published"] == "2023-03-11"
    links = [(l["kind"], l["url"]) for l in first["links"]]
    assert ("code", "https://github.com/example-lab/diffusion-restore") in links  # "Code:" in the comment
    assert ("code", "https://github.com/example-lab/recursive-samplers") in links  # in the abstract, "." stripped
    assert ("pdf", "https://arxiv.org/pdf/2303.06373") in links
    assert ("arxiv", "https://arxiv.org/abs/2303.06373") in links

    old = records["hep-th/9901001"]  # old-style id keeps its archive
    assert old["title"] == "Diffusion on Moduli Spaces of Strings"
    assert [l["url"] for l in old["links"]] == ["https://arxiv.org/abs/hep-th/9901001", "https://arxiv.org/pdf/hep-th/9901001"]

    papers = catalog(tmp_path)
    assert papers["2303.06373"].doi == "10.1109/CVPR52729.2023.01234"
    assert papers["2303.06373"].categories == ["cs.CV", "cs.LG", "I.4.4"]
    assert papers["2303.06373"].arxiv_comment == (
        "Accepted at CVPR 2023. 14 pages, 9 figures. Code: https://github.com/example-lab/diffusion-restore"
    )
    assert papers["2502.01234"].links_of("project")[0].url == "https://example.org/one-objective/"
    assert papers["math/0309136"].title == "Heat Diffusion and the Volume Conjecture for Hyperbolic Knots"


def test_second_arxiv_fetch_adds_nothing(server, capsys, tmp_path):
    assert fetch_arxiv(capsys, tmp_path, server.url("ok"))[0] == 0
    first = listed(capsys, tmp_path)
    code, out, err = fetch_arxiv(capsys, tmp_path, server.url("ok"))
    assert (code, out.startswith("Nothing new from arXiv")) == (0, True)
    assert listed(capsys, tmp_path) == first


def test_arxiv_max_stops_early(server, capsys, tmp_path):
    code, out, err = fetch_arxiv(capsys, tmp_path, server.url("ok"), "--max", "2")
    assert code == 0, err
    assert [(q["start"], q["max_results"]) for _, q in server.requests] == [("0", "2")]
    assert len(listed(capsys, tmp_path)) == 2


def test_arxiv_500_then_200_is_retried(server, capsys, tmp_path):
    code, out, err = fetch_arxiv(capsys, tmp_path, server.url("flaky"))
    assert code == 0, err
    assert server.hits["flaky"] == 3
    assert len(listed(capsys, tmp_path)) == 5


def test_arxiv_server_that_never_answers_ends_with_a_clear_error(server, capsys, tmp_path):
    code, out, err = fetch_arxiv(capsys, tmp_path, server.url("hang"), "--timeout", "1")
    assert (code, err) == (1, "tui-reader: error: 127.0.0.1 did not answer within 1 s; try again later\n")
    assert not (tmp_path / "papers.json").exists() or listed(capsys, tmp_path) == []


def test_arxiv_answer_that_is_not_atom(server, capsys, tmp_path):
    code, out, err = fetch_arxiv(capsys, tmp_path, server.url("html"))
    assert code == 1
    assert "not an arXiv Atom feed (XML, but not an Atom feed (the root element is <html>))" in err


def test_arxiv_query_syntax_is_passed_through(server, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "arxiv", "cat:cs.CV", "AND", "ti:diffusion",
                         "--base-url", server.url("ok"), "--max", "3", "--delay", "0")  # fmt: skip
    assert code == 0, err
    assert server.requests[0][1]["search_query"] == "cat:cs.CV AND ti:diffusion"
    assert server.requests[0][1]["sortBy"] == "submittedDate"


# -- merging with what the user has ------------------------------------------------------------


def test_fetched_papers_merge_into_the_sample_and_keep_stars(server, capsys, tmp_path, sample_path):
    """The sample page (title ids), three stars, then an HF response with two of its papers by arXiv id."""
    assert run(capsys, tmp_path, "import", str(sample_path))[0] == 0
    page = {r["title"]: r for r in listed(capsys, tmp_path)}
    rgt = page["Recursive Generalization Transformer for Image Super-Resolution"]
    agent = page["AgentRefine: Enhancing Agent Generalization through Refinement Tuning"]
    third = page["SMMix: Self-Motivated Image Mixing for Vision Transformers"]
    assert run(capsys, tmp_path, "star", rgt["id"], agent["id"], third["id"])[0] == 0

    server.hf_entries = json.loads((FIXTURES / "hf-daily-sample-overlap.json").read_text("utf-8"))
    code, out, err = fetch_hf(capsys, tmp_path, server.url("ok"))
    assert code == 0, err
    assert "(1 new, 2 updated; 2 merged with papers you had)" in out

    records = {r["id"]: r for r in listed(capsys, tmp_path)}
    assert len(records) == 81 + 1
    assert {pid for pid, r in records.items() if r["starred"]} == {"2211.13654", "2501.01702", third["id"]}
    merged = records["2211.13654"]
    assert merged["title"] == rgt["title"]
    assert merged["abstract"] == rgt["abstract"]  # the page's full abstract beats the API's shorter one
    assert merged["authors"] == ["Zheng Chen", "Yulun Zhang", "Jinjin Gu", "Linghe Kong", "Xiaokang Yang"]
    assert merged["published"] == "2022-11-24"
    assert merged["added"] == rgt["added"]
    urls = [l["url"] for l in merged["links"]]
    assert urls.count("https://github.com/zhengchen1999/RGT") == 1
    assert "https://arxiv.org/abs/2211.13654" in urls and "https://huggingface.co/papers/2211.13654" in urls
    papers = catalog(tmp_path)
    assert papers["2211.13654"].sources == ["hf-page", "hf-api"]
    assert papers["2211.13654"].upvotes == 6 and papers["2211.13654"].github_stars == 210
    assert papers["2501.01702"].links_of("project")[0].url == "https://agentrefine.github.io"


# -- what the app calls --------------------------------------------------------------------------


def test_app_fetch_of_the_latest_day_reports_progress_and_imports_unread(server, tmp_path):
    from tui_reader.sources.http import fetch_hf as fetch_latest_hf

    seen: list[tuple[int, int | None]] = []
    papers = fetch_latest_hf(base=server.url("ok"), page_size=5, progress=lambda done, total: seen.append((done, total)))
    assert "date" not in server.requests[0][1]  # no date: the API's latest day
    assert seen == [(5, None), (10, None), (12, None)]
    with Library(tmp_path, lock_timeout=1) as library:
        result = library.import_papers(papers)
        assert result.new == 12
        assert all(not library.state(pid).read for pid in result.new_ids)


def test_app_fetch_failure_is_a_reader_error(server):
    from tui_reader.errors import ReaderError
    from tui_reader.sources.http import fetch_hf as fetch_latest_hf

    with pytest.raises(ReaderError, match="answered HTTP 503"):
        fetch_latest_hf(base=server.url("down"))
