"""One test per key of the main screen, each checked against the state file on disk."""

from __future__ import annotations

from app_helpers import FIRST_TITLE, current_id, make_app, notices, opened_url, paper_list, reopen_state, running, wait_until


async def test_opens_on_the_sample_with_the_first_paper_shown(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app):
        assert len(paper_list(app).ids) == 81
        assert library.papers[current_id(app)].title == FIRST_TITLE
        title = app.main_screen.query_one("#detail-title")
        assert FIRST_TITLE.split()[0] in str(title.render())


async def test_s_stars_and_unstars_and_saves_at_once(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("s")
        assert reopen_state(library)[pid].starred
        await pilot.press("s")
        assert pid not in reopen_state(library) or not reopen_state(library)[pid].starred


async def test_r_toggles_read(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("r")
        assert reopen_state(library)[pid].read
        await pilot.press("r")
        assert not library.state(pid).read


async def test_enter_marks_read(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("j", "enter")
        pid = current_id(app)
        assert pid == library.ordered_ids()[1]
        assert reopen_state(library)[pid].read


async def test_j_k_g_G_move_the_cursor(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        papers = paper_list(app)
        await pilot.press("j", "j", "down")
        assert papers.cursor == 3
        await pilot.press("k", "up")
        assert papers.cursor == 1
        await pilot.press("G")
        assert papers.cursor == 80
        await pilot.press("g")
        assert papers.cursor == 0
        await pilot.press("end")
        assert papers.cursor == 80
        await pilot.press("home")
        assert papers.cursor == 0


async def test_page_down_and_up_move_by_a_screen(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        papers = paper_list(app)
        page = papers.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert papers.cursor == page
        await pilot.press("pagedown")
        assert papers.cursor == 2 * page
        await wait_until(pilot, lambda: papers.scroll_y > 0)  # the cursor stays in view
        await pilot.press("pageup")
        assert papers.cursor == page


async def test_detail_pane_follows_the_cursor(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("j")
        await wait_until(pilot, lambda: app.main_screen.shown_id == library.ordered_ids()[1])  # (after the list's frame)
        second = library.papers[library.ordered_ids()[1]].title
        assert second.split(":")[0] in str(app.main_screen.query_one("#detail-title").render())


async def test_t_adds_several_comma_separated_tags(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("t")
        await pilot.press(*"vision, sr")
        await pilot.press("enter")
        assert reopen_state(library)[pid].tags == ["vision", "sr"]


async def test_t_completes_an_existing_tag_with_tab(library, config_folder):
    app = make_app(library, config_folder)
    library.add_tags([library.ordered_ids()[5]], ["diffusion"])
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("t", "v", "i", "s", "i", "o", "n", ",", "space", "d", "i", "f")
        await pilot.pause()
        await pilot.press("tab", "enter")
        assert reopen_state(library)[pid].tags == ["vision", "diffusion"]


async def test_escape_in_the_tag_prompt_adds_nothing(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("t", "x", "escape")
        assert library.state(pid).tags == []
        assert app.screen is app.main_screen


async def test_T_removes_the_picked_tag(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        library.add_tags([pid], ["vision", "sr"])
        await pilot.press("T")
        await pilot.press("down", "enter")  # the second tag, "sr"
        assert reopen_state(library)[pid].tags == ["vision"]


async def test_T_without_tags_says_so(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("T")
        assert app.screen is app.main_screen
        assert any("no tags" in n.message for n in notices(app))


async def test_S_cycles_the_sort_orders(library, config_folder):
    from tui_reader.search.query import SORT_ORDERS

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        seen = [app.main_screen.sort]
        for _ in SORT_ORDERS:
            await pilot.press("S")
            seen.append(app.main_screen.sort)
        assert seen[:-1] == list(SORT_ORDERS) and seen[-1] == seen[0]


async def test_S_title_order_sorts_the_list(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("S")  # newest added -> title
        titles = [library.papers[pid].title.casefold() for pid in paper_list(app).ids]
        assert titles == sorted(titles)


async def test_S_starred_first_puts_a_starred_paper_on_top(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("G", "s")
        starred = current_id(app)
        await pilot.press("S", "S")  # title, then starred first
        assert app.main_screen.sort == "starred"
        assert paper_list(app).ids[0] == starred


async def test_tab_moves_between_panes(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        assert app.focused.id == "papers"
        await pilot.press("tab")
        assert app.focused.id == "detail"
        await pilot.press("tab")
        assert app.focused.id == "sidebar"
        await pilot.press("tab")
        assert app.focused.id == "papers"


async def test_question_mark_shows_help_with_every_binding(library, config_folder):
    from tui_reader.ui.help import HelpScreen
    from tui_reader.ui.main_screen import MainScreen

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {b.id for _, rows in app.binding_sections() for _, b in rows}
        assert {b.id for b in MainScreen.BINDINGS} <= ids
        assert {"cursor-down", "quit", "command-palette", "next-theme"} <= ids
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_q_quits(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_b_hides_and_shows_the_sidebar_and_remembers(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.query_one("#sidebar")
        assert sidebar.display and sidebar.region.width
        await pilot.press("b")
        await pilot.pause()
        assert sidebar.region.width == 0
        assert "show_sidebar = false" in (config_folder / "config.toml").read_text()
        await pilot.press("b")
        await pilot.pause()
        assert sidebar.region.width > 0


async def test_o_opens_the_repo_in_the_browser(library, config_folder, browser):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert opened_url(browser) == "https://github.com/zhengchen1999/RGT"


async def test_o_without_a_browser_says_so_and_shows_the_link(library, config_folder, tmp_path, monkeypatch):
    import webbrowser

    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [note] = notices(app)
        assert note.severity == "warning" and "no web browser" in note.message
        assert note.message.endswith("https://github.com/zhengchen1999/RGT")
