"""Triage in the app: undo/redo, hide, the selection and bulk actions, mark a view read; each
checked on disk."""

from __future__ import annotations

from app_helpers import current_id, make_app, notices, paper_list, reopen_state, running
from tui_reader.ui.paper_list import SELECTED_MARK


def messages(app) -> list[str]:
    return [n.message for n in notices(app)]


async def test_u_undoes_a_star_and_says_what_and_U_redoes(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("s")
        assert reopen_state(library)[pid].starred
        await pilot.press("u")
        assert pid not in reopen_state(library)
        assert any(m.startswith("Undone: star · Recursive Generalization") for m in messages(app))
        await pilot.press("U")
        assert reopen_state(library)[pid].starred
        await pilot.press("ctrl+z")
        assert pid not in reopen_state(library)
        await pilot.press("ctrl+r")
        assert reopen_state(library)[pid].starred


async def test_undo_of_a_tag_a_note_and_a_read_several_levels(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("t", *"a,b", "enter", "r", "n", *"hello", "ctrl+s")
        state = reopen_state(library)[pid]
        assert state.tags == ["a", "b"] and state.read and state.note == "hello"
        await pilot.press("u")
        assert reopen_state(library)[pid].note == ""
        await pilot.press("u")
        assert not reopen_state(library)[pid].read
        await pilot.press("u")
        assert pid not in reopen_state(library)
        await pilot.press("u")
        assert any(m == "Nothing to undo." for m in messages(app))


async def test_d_hides_the_paper_from_every_view_but_hidden_and_u_brings_it_back(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("d")
        assert reopen_state(library)[pid].hidden
        assert pid not in paper_list(app).ids and len(paper_list(app).ids) == 80
        sidebar = app.main_screen.sidebar
        assert str(sidebar.get_option("view:hidden").prompt).split()[-1] == "1"
        assert str(sidebar.get_option("view:all").prompt).split()[-1] == "80"
        sidebar.choose("view:hidden")
        await pilot.pause()
        assert paper_list(app).ids == [pid]
        sidebar.choose("view:all")
        await pilot.pause()
        await pilot.press("u")
        assert pid not in reopen_state(library)
        assert pid in paper_list(app).ids and len(paper_list(app).ids) == 81


async def test_d_in_the_hidden_view_brings_the_paper_back(library, config_folder):
    pid = library.ordered_ids()[3]
    library.set_hidden([pid])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        assert pid not in paper_list(app).ids
        app.main_screen.sidebar.choose("view:hidden")
        await pilot.pause()
        await pilot.press("d")
        assert pid not in reopen_state(library)
        assert paper_list(app).ids == []


async def test_space_selects_and_moves_and_s_r_t_apply_to_the_selection_one_undo_each(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        ids = paper_list(app).ids[:3]
        await pilot.press("space", "space", "space")
        assert paper_list(app).selected == set(ids) and paper_list(app).cursor == 3
        line = paper_list(app).render_line(0).text
        assert line.startswith(SELECTED_MARK)
        assert "3 selected" in str(paper_list(app).border_subtitle)
        await pilot.press("s", "r", "t", *"batch", "enter")
        state = reopen_state(library)
        assert all(state[pid].starred and state[pid].read and state[pid].tags == ["batch"] for pid in ids)
        assert len(state) == 3
        await pilot.press("u")
        assert all(reopen_state(library)[pid].tags == [] for pid in ids)
        await pilot.press("u", "u")
        assert reopen_state(library) == {}
        await pilot.press("escape")
        assert not paper_list(app).selected


async def test_shift_down_extends_V_selects_a_range_star_selects_all(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        ids = paper_list(app).ids
        await pilot.press("shift+down", "shift+down")
        assert paper_list(app).selected == set(ids[:3])
        await pilot.press("escape", "space", "j", "j", "V")
        assert paper_list(app).selected == set(ids[2:6])  # from the row space picked (2) to the cursor (5)
        await pilot.press("asterisk")
        assert paper_list(app).selected == set(ids)
        await pilot.press("asterisk")
        assert not paper_list(app).selected


async def test_T_on_a_selection_removes_the_tag_from_each(library, config_folder):
    ids = library.ordered_ids()[:2]
    library.add_tags(ids, ["x", "y"])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("space", "space", "T", "enter")
        assert all(reopen_state(library)[pid].tags == ["y"] for pid in ids)


async def test_d_on_a_selection_hides_them_all_in_one_step(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        ids = paper_list(app).ids[:4]
        await pilot.press("shift+down", "shift+down", "shift+down", "d")
        assert all(reopen_state(library)[pid].hidden for pid in ids)
        assert len(paper_list(app).ids) == 77 and not paper_list(app).selected
        await pilot.press("u")
        assert reopen_state(library) == {} and len(paper_list(app).ids) == 81


async def test_A_marks_the_search_result_read_after_a_confirmation_naming_the_count(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", *"self", "enter")
        shown = list(paper_list(app).ids)
        assert 1 < len(shown) < 81
        await pilot.press("A")
        question = str(app.screen.query_one(".dialog-title").render())
        assert f"Mark {len(shown)} unread papers matching 'self' read?" in question
        await pilot.press("y")
        state = reopen_state(library)
        assert sorted(state) == sorted(shown) and all(s.read for s in state.values())
        await pilot.press("u")
        assert reopen_state(library) == {}


async def test_A_then_n_marks_nothing(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("A", "n")
        assert reopen_state(library) == {}


async def test_a_hidden_paper_stays_hidden_after_a_restart(library, config_folder):
    from tui_reader.store.library import Library

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("d")
    folder = library.folder
    library.close()
    reopened = Library(folder)
    try:
        app = make_app(reopened, config_folder)
        async with running(app):
            assert pid not in paper_list(app).ids and len(paper_list(app).ids) == 80
    finally:
        reopened.close()


async def test_the_sort_is_remembered_across_restarts(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("S", "S", "S")  # newest added -> title -> starred first -> most upvoted
        assert app.main_screen.sort == "upvotes"
    assert 'sort = "upvotes"' in (config_folder / "config.toml").read_text()
    app = make_app(library, config_folder)
    async with running(app):
        assert app.main_screen.sort == "upvotes"
        assert "most upvoted" in str(paper_list(app).border_subtitle)


NEW_IDS = ["hide", "undo", "redo", "mark-all-read", "select", "extend-down", "extend-up", "select-range",
           "select-all", "pick-link", "open-arxiv", "open-pdf"]


async def test_every_new_key_has_an_id_in_the_help_and_can_be_remapped(library, config_folder):
    config_folder.mkdir(parents=True, exist_ok=True)
    (config_folder / "config.toml").write_text('[keymap]\nundo = "z"\nhide = "x"\n')
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        rows = {binding.id: keys for _title, section in app.binding_sections() for keys, binding in section}
        assert all(rows.get(binding_id) for binding_id in NEW_IDS), [i for i in NEW_IDS if i not in rows]
        assert rows["undo"] == "z" and rows["hide"] == "x"
        pid = current_id(app)
        await pilot.press("x")
        assert reopen_state(library)[pid].hidden
        await pilot.press("z")
        assert reopen_state(library) == {}


async def test_an_import_in_the_app_removes_the_sample_but_what_the_user_starred(library, config_folder):
    from pathlib import Path

    from tui_reader.sources import read_source
    from tui_reader.store.sample import remember_sample
    from tui_reader.ui.transfers import store_batch

    sample = library.ordered_ids()
    remember_sample(library.folder, sample)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("s")
        store_batch(app, read_source(Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"), "Imported")
        await app.workers.wait_for_complete()
        for _ in range(100):  # the store's message is posted as it ends
            if app.screen is app.main_screen and any("Imported" in m for m in messages(app)):
                break
            await pilot.pause()
        messages_now = messages(app)
        assert any("The bundled sample (80 papers) was removed; 1 you starred, tagged or noted was kept." in m
                   for m in messages_now), messages_now
        assert len(paper_list(app).ids) == 12 + 1
        assert sample[0] in paper_list(app).ids and reopen_state(library)[sample[0]].starred
