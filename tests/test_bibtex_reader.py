"""BibTeX syntax edge cases: a bad entry is skipped and named, the rest imports; macros, `#`,
crossref, comment lines, URLs, names; several files read as one."""

from __future__ import annotations

from cli_helpers import catalog, listed, run
from tui_reader.sources import bibtex
from tui_reader.sources.bibtex_reader import read_files


def test_a_bad_entry_is_skipped_and_named_by_line_and_key_and_the_rest_imports():
    text = "@article{good1, title={Fine One}}\n\n@article{bad, title={Unclosed, year=2020}\n\n@misc{good2, title={Fine Two}}\n"
    batch = bibtex.parse(text)
    assert [p.title for p in batch.papers] == ["Fine One", "Fine Two"]
    assert batch.warnings == ["line 3: the @article entry 'bad' was skipped (expected ',' or '}' at line 5, found '@misc{good2, title={')"]


def test_the_command_line_warns_and_imports_the_rest(capsys, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a, title={One}}\n@article{b, title = {Two}, author = {X and}, year = 20 20}\n@misc{c, title={Three}}\n")
    code, out, err = run(capsys, tmp_path / "lib", "import", str(bib))
    assert code == 0 and "Traceback" not in err
    assert err.startswith("tui-reader: warning: refs.bib: line 2: the @article entry 'b' was skipped (expected ")
    assert sorted(r["title"] for r in listed(capsys, tmp_path / "lib")) == ["One", "Three"]


def test_string_macros_concatenation_and_month_macros():
    text = (
        '@string{ieee = "IEEE"}\n@STRING(tr = "Transactions")\n'
        '@article{k, title = "A " # "Title", journal = ieee # " " # tr, month = oct, year = 2001}\n'
    )
    (paper,) = bibtex.parse(text).papers
    assert paper.title == "A Title"
    assert paper.bibtex["journal"] == "IEEE Transactions"
    assert paper.published == "2001-10"


def test_an_undefined_macro_is_kept_as_written_and_reported():
    batch = bibtex.parse("@article{k, title = {T}, journal = nowhere}\n")
    assert batch.papers[0].bibtex["journal"] == "nowhere"
    assert "1 @string macros are used but never defined (nowhere)" in batch.warnings[0]


def test_crossref_fills_missing_fields_but_not_the_paper_s_own():
    text = (
        "@inproceedings{paper, title={The Paper}, author={A. One}, crossref={proc}, pages={1--2}}\n"
        "@proceedings{proc, title={Proceedings of X}, year={1999}, publisher={P}, url={http://conf.example}, editor={E. D. Itor}}\n"
    )
    paper, proceedings = bibtex.parse(text).papers
    assert paper.published == "1999"
    assert paper.links == []  # the volume's URL is not the paper's
    assert paper.bibtex == {"title": "The Paper", "author": "A. One", "crossref": "proc", "pages": "1--2"}  # as written
    assert (proceedings.title, proceedings.authors) == ("Proceedings of X", ["E. D. Itor"])


def test_comment_lines_inside_values_and_between_fields():
    text = "% header\n@article{k,\n  % a note\n  author = {Shi,\n% comment\n  Fazhan and Rong, Xing},\n  title = {50% Off}\n}\n"
    (paper,) = bibtex.parse(text).papers
    assert paper.authors == ["Fazhan Shi", "Xing Rong"]
    assert paper.title == "50% Off"  # a "%" inside a line is text


def test_urls_are_unescaped_never_decoded():
    text = r"@misc{k, title={T}, url={http://example.org/\~{}user/a\_b\%20c.html}}" + "\n"
    (paper,) = bibtex.parse(text).papers
    assert paper.links[0].url == "http://example.org/~user/a_b%20c.html"


def test_names_in_every_form():
    text = (
        "@misc{k, title={T}, author={von Neumann, John and Smith, Jr., Ada and {Lab of Things} and Bob Jones"
        " and family=Hakim, given=Tawfiq, prefix=al-, useprefix=true and Weilbach, and others}}\n"
    )
    (paper,) = bibtex.parse(text).papers
    assert paper.authors == ["John von Neumann", "Ada Smith, Jr.", "Lab of Things", "Bob Jones", "Tawfiq al-Hakim", "Weilbach"]


def test_parenthesised_entries_and_comments_are_read():
    text = '@comment{ignore me {nested} }\n@preamble{"\\providecommand{\\X}{Ex}"}\n@misc(k, title = {About \\X})\n'
    (paper,) = bibtex.parse(text).papers
    assert paper.title == "About Ex"


def test_several_files_share_their_macros_in_order(capsys, tmp_path):
    (tmp_path / "macros.bib").write_text('@string{jml = "Journal of ML"}\n')
    (tmp_path / "refs.bib").write_text("@article{k, title={T}, journal=jml}\n")
    code, out, err = run(capsys, tmp_path / "lib", "import", str(tmp_path / "macros.bib"), str(tmp_path / "refs.bib"))
    assert (code, out, err) == (0, "Imported 1 paper (1 new, 0 updated) from macros.bib + refs.bib\n", "")
    (paper,) = catalog(tmp_path / "lib").values()
    assert paper.bibtex["journal"] == "Journal of ML"


def test_line_numbers_count_from_each_file():
    result = read_files([("a.bib", "@misc{a, title={A}}\n"), ("b.bib", "\n\n@misc{b, title={B}\n")])
    assert [e.key for e in result.entries] == ["a"]
    assert result.problems == ["b.bib, line 3: the @misc entry 'b' was skipped (the file ends inside it)"]


def test_no_input_reaches_a_traceback():
    for text in ["@", "@article", "@article{", "@article{k", "@article{k,", "@article{k, title", "@article{k, title=",
                 "@article{k, title={", '@article{k, title="x', "@article{k, title=x #", "@string{", "@preamble{",
                 "@article{k, title={a}}}}}", "@{}{}{", "@article{k, =x}", "@article(k, title={x}"]:  # fmt: skip
        batch = read_files([("", text)])
        assert batch.entries or batch.problems or text in ("@", "@article", "@{}{}{"), text  # the last: no "@type{"


def test_a_repeated_field_keeps_the_first_and_says_so():
    batch = bibtex.parse("@misc{k, title={First}, title={Second}}\n")
    assert batch.papers[0].title == "First"
    assert batch.warnings == ["line 1: the entry 'k' gives title twice; the first is kept"]
