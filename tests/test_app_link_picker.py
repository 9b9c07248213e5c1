"""The link picker (l): every link numbered and labelled by kind; a number or Enter opens it, y
copies it. a and p open the arXiv page and the PDF directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from app_helpers import make_app, notices, opened_url, running
from tui_reader.sources import read_source
from tui_reader.store.library import Library

DAILY = Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"
FIRST = "2503.07365"  # code, arXiv, PDF and HF links


@pytest.fixture
def daily(tmp_path):
    library = Library(tmp_path / "data")
    library.import_papers(read_source(DAILY).papers)
    yield library
    library.close()


async def test_l_lists_every_link_numbered_and_labelled(daily, config_folder):
    app = make_app(daily, config_folder)
    async with running(app) as pilot:
        await pilot.press("l")
        options = app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [line.split()[:2] for line in shown] == [["1", "code"], ["2", "arXiv"], ["3", "PDF"], ["4", "HF"]]
        assert shown[0].endswith("https://github.com/ModalMinds/MM-EUREKA")
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_a_number_opens_that_link(daily, config_folder, browser):
    app = make_app(daily, config_folder)
    async with running(app) as pilot:
        await pilot.press("l", "3")
        await app.workers.wait_for_complete()
    assert opened_url(browser) == f"https://arxiv.org/pdf/{FIRST}"


async def test_enter_opens_the_highlighted_link(daily, config_folder, browser):
    app = make_app(daily, config_folder)
    async with running(app) as pilot:
        await pilot.press("l", "down", "enter")
        await app.workers.wait_for_complete()
    assert opened_url(browser) == f"https://arxiv.org/abs/{FIRST}"


async def test_y_copies_the_highlighted_link(daily, config_folder):
    app = make_app(daily, config_folder)
    async with running(app) as pilot:
        await pilot.press("l", "down", "down", "down", "y")
        assert app.clipboard == f"https://huggingface.co/papers/{FIRST}"
        assert app.screen is app.main_screen


@pytest.mark.parametrize("key, url", [("a", f"https://arxiv.org/abs/{FIRST}"), ("p", f"https://arxiv.org/pdf/{FIRST}")])
async def test_a_and_p_open_the_arxiv_page_and_the_pdf(daily, config_folder, browser, key, url):
    app = make_app(daily, config_folder)
    async with running(app) as pilot:
        await pilot.press(key)
        await app.workers.wait_for_complete()
    assert opened_url(browser) == url


async def test_p_without_a_pdf_says_so(library, config_folder):
    app = make_app(library, config_folder)  # the sample's first paper has a code link only
    async with running(app) as pilot:
        await pilot.press("p")
        assert any("no PDF link" in n.message for n in notices(app))
