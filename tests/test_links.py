import pytest

from tui_reader.links import (
    arxiv_id_from_url,
    classify,
    find_links,
    find_urls,
    merge_links,
    strip_trailing_punctuation,
)
from tui_reader.models import Link


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("https://github.com/x/y.", "https://github.com/x/y"),
        ("https://github.com/x/y),", "https://github.com/x/y"),
        ("https://github.com/x/y;", "https://github.com/x/y"),
        ('https://github.com/x/y"', "https://github.com/x/y"),
        ("https://github.com/x/y'.", "https://github.com/x/y"),
        ("https://github.com/x/y:", "https://github.com/x/y"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("https://example.org/a(b)).", "https://example.org/a(b)"),
        ("https://baai-agents.github.io/Cradle/.", "https://baai-agents.github.io/Cradle/"),
    ],
)
def test_sentence_punctuation_is_stripped(raw, clean):
    assert strip_trailing_punctuation(raw) == clean


def test_urls_found_in_order_without_duplicates():
    text = (
        "Code at https://github.com/x/y. Project (https://proj.example.com/page), "
        "again https://github.com/x/y/ and https://arxiv.org/abs/2303.06373v2; "
        "pdf https://arxiv.org/pdf/2303.06373."
    )
    assert find_urls(text) == [
        "https://github.com/x/y",
        "https://proj.example.com/page",
        "https://arxiv.org/abs/2303.06373v2",
        "https://arxiv.org/pdf/2303.06373",
    ]


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://github.com/zhengchen1999/RGT", "code"),
        ("https://www.github.com/a/b", "code"),
        ("https://gitlab.com/group/project", "code"),
        ("https://bitbucket.org/a/b", "code"),
        ("https://codeberg.org/a/b", "code"),
        ("https://huggingface.co/spaces/owner/demo", "code"),
        ("https://huggingface.co/owner/model-7b", "code"),
        ("https://huggingface.co/datasets/owner/data", "data"),
        ("https://huggingface.co/papers/2303.06373", "hf"),
        ("https://huggingface.co/docs/transformers", "project"),
        ("https://github.com", "project"),
        ("https://arxiv.org/abs/2303.06373", "arxiv"),
        ("http://export.arxiv.org/abs/hep-th/9901001v1", "arxiv"),
        ("https://arxiv.org/pdf/2303.06373v1", "pdf"),
        ("https://example.org/paper.PDF", "pdf"),
        ("https://baai-agents.github.io/Cradle/", "project"),
        ("https://phyworld.github.io", "project"),
    ],
)
def test_classification(url, kind):
    assert classify(url) == kind


def test_find_links_classifies_each_url():
    assert find_links("see https://github.com/a/b and https://site.org.") == [
        Link("https://github.com/a/b", "code"),
        Link("https://site.org", "project"),
    ]
    assert find_links("") == []


def test_merge_links_unites_without_duplicates():
    a = [Link("https://github.com/a/b", "code")]
    b = [Link("https://github.com/a/b/", "code"), Link("https://arxiv.org/abs/1", "arxiv")]
    assert merge_links(a, b) == [a[0], b[1]]


def test_arxiv_id_from_urls():
    assert arxiv_id_from_url("https://arxiv.org/abs/2303.06373v2") == "2303.06373"
    assert arxiv_id_from_url("https://arxiv.org/pdf/2303.06373v2.pdf") == "2303.06373"
    assert arxiv_id_from_url("http://arxiv.org/abs/hep-th/9901001v1") == "hep-th/9901001"
    assert arxiv_id_from_url("https://huggingface.co/papers/2502.01234") == "2502.01234"
    assert arxiv_id_from_url("https://github.com/a/b") is None


def test_every_url_of_the_sample_page_is_found_clean(sample_path):
    urls = find_urls(sample_path.read_text())
    assert len(urls) == 21
    assert all(url[-1] not in ".,;:)'\"" for url in urls)


def test_an_arxiv_version_or_scheme_does_not_make_another_link():
    from tui_reader.links import arxiv_links

    found = find_links("see http://arxiv.org/abs/2303.06373v2 and https://github.com/a/b")
    merged = merge_links(found, arxiv_links("2303.06373"), [Link("http://github.com/a/b/", "code")])
    assert [l.url for l in merged] == [
        "http://arxiv.org/abs/2303.06373v2",
        "https://github.com/a/b",
        "https://arxiv.org/pdf/2303.06373",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/a/b",
        "HTTPS://WWW.GitHub.com/A/B/",
        "https://user:pw@github.com:443/a/b?x=1#frag",
        "http://[::1]:8000/papers/x.pdf",
        "https://huggingface.co/papers/2303.06373v2?x",
        "https://export.arxiv.org/abs/hep-th/9901001v1#top",
        "https://example.org",
        "ftp://example.org/file.pdf",
    ],
)
def test_host_and_path_agree_with_urlsplit(url):
    from urllib.parse import urlsplit

    from tui_reader.links import host_and_path

    parts = urlsplit(url)
    assert host_and_path(url) == ((parts.hostname or "").removeprefix("www."), parts.path.rstrip("/"))


def test_urls_are_found_where_the_regex_alone_finds_them():
    """find_urls jumps between "://" instead of running the URL regex over the whole text; on any
    text it must find what the regex's own scan finds (overlaps, case, the long s of IGNORECASE)."""
    import random

    from tui_reader.links import _URL_RE, _raw_urls

    rng = random.Random(7)
    pieces = [*"hHtTpPsSſ:/ x\"'<>.(", "http://", "https://", "HTTPS://", "httpſ://", "://", "ahttp://"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert list(_raw_urls(text)) == [m.group(0) for m in _URL_RE.finditer(text)], repr(text)


@pytest.mark.parametrize("arxiv_id", ["2303.06373", "0704.0001", "2303.0637", "hep-th/9901001", "math.GT/0309136"])
def test_the_key_of_a_made_arxiv_link_is_the_key_of_any_url(arxiv_id):
    """The links arxiv_links / hf_link make take a shortcut to their key; it must be the same."""
    from tui_reader.links import _any_link_key, _same_link_key, arxiv_links, hf_link

    for link in [*arxiv_links(arxiv_id), hf_link(arxiv_id)]:
        assert _same_link_key(link.url) == _any_link_key(link.url)
        assert _same_link_key(link.url).startswith(f"{link.kind}:")
