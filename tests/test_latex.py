"""TeX as Unicode: the pure conversion, and where it is shown (list row, detail pane, `list`, Markdown
export) while the catalog keeps the raw text."""

from __future__ import annotations

import pytest

from app_helpers import make_app, paper_list, running
from cli_helpers import catalog, run
from tui_reader.export.formats import to_markdown
from tui_reader.latex import decode_bibtex, to_unicode
from tui_reader.models import Paper


@pytest.mark.parametrize(
    "raw, shown",
    [
        (r"$\mathcal{O}(n)$ time", "𝒪(n) time"),
        (r"An \emph{x} and \textbf{y}", "An x and y"),
        (r"Prefill \& Decode", "Prefill & Decode"),
        (r"\$OneMillion-Bench", "$OneMillion-Bench"),
        ("costs $5 only", "costs $5 only"),  # a lone dollar is a price
        (r"$\alpha$-stable and $x^2$, $\mathbb{R}^n$", "α-stable and x², ℝⁿ"),
        (r"\frac{1}{2} of $\sqrt{n}$", "1/2 of √n"),
        (r"The \unknownmacro{arg} stays", "The unknownmacroarg stays"),  # never lost
        ("plain ~10% text -- as is", "plain ~10% text -- as is"),  # no TeX: untouched
        ("a \\", "a \\"),
    ],
)
def test_to_unicode(raw, shown):
    assert to_unicode(raw) == shown


@pytest.mark.parametrize(
    "raw, text",
    [
        (r"The \LaTeX\ Companion", "The LaTeX Companion"),
        (r"The {\TeX}book", "The TeXbook"),
        (r"{\MaxMinAntSystem}", "MaxMinAntSystem"),  # unknown: its name, not nothing
        (r"K{\"o}rper", "Körper"),
        (r"{United} {Kingdom}", "United Kingdom"),
        (r"{\v C}ech and \v{C}ech", "Čech and Čech"),
        (r"\href{http://x.org/a_b}{the text}", "the text"),
        (r"100 {\%} and \_", "100 % and _"),
        (r"pages 891--921, a---b", "pages 891–921, a—b"),
        (r"``quoted''", "“quoted”"),
        (r"{unbalanced", "unbalanced"),
        (r"unbalanced}", "unbalanced}"),
        (r"\'", "´"),
    ],
)
def test_decode_bibtex(raw, text):
    assert decode_bibtex(raw) == text


def test_preamble_commands_are_expanded():
    commands = {"MaxMinAntSystem": r"{$\cal MAX$--$\cal MIN$} {Ant} {System}"}
    assert decode_bibtex(r"On {\MaxMinAntSystem}'s Parameters", commands) == "On MAX–MIN Ant System's Parameters"


def test_a_command_defined_by_itself_does_not_loop():
    assert decode_bibtex(r"\loop", {"loop": r"\loop x"}).endswith("x")


def tex_paper() -> Paper:
    return Paper(id="2401.00002", title=r"Sorting in $\mathcal{O}(n)$ with \emph{luck}", abstract=r"We show \& prove $\alpha$.", batch=99)


async def test_the_list_and_the_detail_pane_show_tex_as_unicode(library, config_folder):
    library.import_papers([tex_paper()])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        assert paper_list(app).current_id == "2401.00002"
        await pilot.pause()
        assert "Sorting in 𝒪(n) with luck" in paper_list(app).render_line(0).text
        assert "Sorting in 𝒪(n) with luck" in str(app.main_screen.query_one("#detail-title").render())
        assert "We show & prove α." in str(app.main_screen.query_one("#detail-abstract").render())
    assert library.papers["2401.00002"].title == r"Sorting in $\mathcal{O}(n)$ with \emph{luck}"  # stored raw


def test_list_and_markdown_show_tex_as_unicode(capsys, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00002v1</id>'
        r"<title>Sorting in $\mathcal{O}(n)$ with \emph{luck}</title><summary>x</summary></entry></feed>",
        "utf-8",
    )
    assert run(capsys, tmp_path / "lib", "import", str(feed))[0] == 0
    code, out, err = run(capsys, tmp_path / "lib", "list")
    assert "Sorting in 𝒪(n) with luck" in out
    assert catalog(tmp_path / "lib")["2401.00002"].title == r"Sorting in $\mathcal{O}(n)$ with \emph{luck}"
    assert "## Sorting in 𝒪(n) with luck\n" in to_markdown([tex_paper()], {})


def test_deeply_nested_groups_do_not_recurse_without_end():
    deep = "\\emph{" * 5000 + "x" + "}" * 5000
    assert to_unicode(deep).count("x") == 1
    assert decode_bibtex("{" * 100_000 + "y" + "}" * 100_000).count("y") == 1
