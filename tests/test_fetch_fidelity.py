"""Fetching against a real HTTP server on 127.0.0.1 that answers with recorded real responses
(../shared/real-data, read in place; skipped when absent): the latest day only when no date is
given, --submitter, arXiv's own error text from an HTTP 400, --id through id_list."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cli_helpers import catalog, run

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the shared real inputs are not here ({REAL})")
OLDER_DAY = "2026-04-14"
LATEST_DAY = "2026-08-21"


class RecordedApi:
    """/api/daily_papers: with no date, the newest papers first across two days (as the API pages
    back in time); with a date, that day's recorded response. /api/query: a recorded Atom feed, or
    arXiv's recorded HTTP 400 error body for a bad id."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        days = {day: json.loads((REAL / f"hf-api/daily_papers-{day}.json").read_text("utf-8")) for day in (OLDER_DAY, LATEST_DAY)}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.requests.append({"path": parts.path, **query})
                if parts.path == "/api/daily_papers":
                    entries = days.get(query["date"], []) if "date" in query else days[LATEST_DAY] + days[OLDER_DAY]
                    if "submitter" in query:
                        entries = [e for e in days[LATEST_DAY] + days[OLDER_DAY] if e.get("submittedBy", {}).get("name") == query["submitter"]]
                    page, limit = int(query.get("p", 0)), int(query.get("limit", 50))
                    return self.send(200, json.dumps(entries[page * limit : (page + 1) * limit]).encode(), "application/json")
                if parts.path == "/api/query":
                    ids = query.get("id_list", "")
                    if ids == "abc" or query.get("search_query") == "id:abc":
                        return self.send(400, (REAL / "arxiv-atom/arxivpy-id_abc-error-http400.xml").read_bytes(), "application/atom+xml")
                    if ids == "astro-ph/0601001":
                        return self.send(200, (REAL / "arxiv-atom/arxivpy-id_astro-ph_0601001.xml").read_bytes(), "application/atom+xml")
                    return self.send(200, (REAL / "arxiv-atom/arxivpy-id_0000.0000-empty.xml").read_bytes(), "application/atom+xml")
                self.send(404, b"not found", "text/plain")

            def send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def api(local_fetch_env):
    server = RecordedApi()
    yield server
    server.close()


def test_fetch_hf_without_a_date_takes_the_latest_day_only(api, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "hf", "--base-url", api.url, "--page-size", "10")
    assert code == 0, err
    assert out == "Imported 17 papers (17 new, 0 updated) from HF daily papers (the latest day)\n"
    assert [r.get("date") for r in api.requests] == [None, LATEST_DAY, LATEST_DAY]  # the day read from the first page
    papers = catalog(tmp_path)
    assert {p.submitted for p in papers.values()} == {LATEST_DAY}


def test_fetch_hf_by_submitter_passes_the_api_filter(api, capsys, tmp_path):
    entries = json.loads((REAL / f"hf-api/daily_papers-{LATEST_DAY}.json").read_text("utf-8"))
    user = "taesiri"  # two papers that day
    expected = {e["paper"]["id"] for e in entries if e["submittedBy"]["name"] == user}
    assert len(expected) == 2
    code, out, err = run(capsys, tmp_path, "fetch", "hf", "--submitter", user, "--base-url", api.url)
    assert code == 0, err
    assert api.requests[0]["submitter"] == user and "date" not in api.requests[0]
    assert expected <= set(catalog(tmp_path)) and f"submitter {user}" in out


def test_an_empty_submitter_is_refused_before_any_request(api, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "hf", "--submitter", " ", "--base-url", api.url)
    assert code == 1 and "the submitter is empty" in err and api.requests == []


def test_arxiv_http_400_shows_arxiv_s_own_reason(api, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "arxiv", "id:abc", "--base-url", api.url)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "answered HTTP 400 Bad Request: incorrect id format for abc (" in err
    assert not (tmp_path / "papers.json").exists()


def test_a_bad_id_is_refused_before_any_request(api, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "arxiv", "--id", "abc", "--base-url", api.url)
    assert code == 1 and "not an arXiv id: 'abc'" in err and api.requests == []


def test_fetch_arxiv_by_id_uses_id_list(api, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "arxiv", "--id", "astro-ph/0601001", "--base-url", api.url)
    assert code == 0, err
    assert api.requests[0]["id_list"] == "astro-ph/0601001" and "search_query" not in api.requests[0]
    paper = catalog(tmp_path)["astro-ph/0601001"]
    assert paper.journal_ref == "ActaAstron.56:1-50,2006" and paper.affiliations["Andrew Gould"] == ["Ohio State"]


def test_fetch_arxiv_needs_a_query_or_ids(api, capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "fetch", "arxiv", "--base-url", api.url)
    assert code == 1 and "give a query or --id" in err and api.requests == []
