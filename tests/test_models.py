import pytest

from tui_reader.models import (
    Link,
    Paper,
    PaperState,
    clean_arxiv_id,
    is_arxiv_id,
    normalise_tag,
    normalise_title,
    paper_id,
    title_id,
)


def test_arxiv_id_loses_its_version():
    assert clean_arxiv_id("2303.06373v2") == "2303.06373"
    assert clean_arxiv_id("2303.06373") == "2303.06373"
    assert clean_arxiv_id("0704.0001v1") == "0704.0001"


def test_old_style_arxiv_ids_keep_their_archive():
    assert clean_arxiv_id("hep-th/9901001v1") == "hep-th/9901001"
    assert clean_arxiv_id("math.GT/0309136") == "math.GT/0309136"


def test_non_arxiv_strings_are_not_ids():
    for value in ("", "hello", "2303.063", "12345.67890.1", "t-0123456789ab"):
        assert clean_arxiv_id(value) is None
        assert not is_arxiv_id(value)


def test_paper_id_prefers_the_arxiv_id():
    assert paper_id("Some Title", "2303.06373v3") == "2303.06373"


def test_paper_id_falls_back_to_a_stable_title_id():
    first = paper_id("Deep Nets:  A Survey!")
    assert first.startswith("t-") and len(first) == 14
    # case, spacing, punctuation and accents don't make another paper
    assert paper_id("deep nets - a survey") == first
    assert paper_id("Déep Nets: a SURVEY") == first
    assert paper_id("Deep Nets: A Second Survey") != first
    assert paper_id("Some Title", "not an id") == title_id("Some Title")


def test_normalise_title_is_punctuation_and_case_free():
    assert normalise_title("  RGT: Recursive—Generalization  ") == "rgt recursive generalization"


def test_tags_are_lowercase_words_joined_by_dashes():
    assert normalise_tag("  Image  Super Resolution ") == "image-super-resolution"
    assert normalise_tag("SR") == "sr"


def test_paper_round_trips_through_a_dict():
    paper = Paper(
        id="2303.06373",
        title="T",
        abstract="A",
        authors=["A B"],
        published="2023-03-11",
        links=[Link("https://github.com/a/b", "code")],
        upvotes=3,
        keywords=["k"],
    )
    data = paper.to_dict()
    assert data["links"] == [{"url": "https://github.com/a/b", "kind": "code"}]
    assert Paper.from_dict(data) == paper
    # unknown keys from a newer version are ignored rather than fatal
    assert Paper.from_dict({**data, "future_field": 1}) == paper


def test_state_default_and_round_trip():
    assert PaperState().is_default()
    state = PaperState(starred=True, tags=["a"], note="n")
    assert not state.is_default()
    assert PaperState.from_dict(state.to_dict()) == state


def test_a_record_of_the_wrong_types_is_refused():
    import pytest

    good = Paper(id="2303.06373", title="T").to_dict()
    for field, bad in [("title", 5), ("authors", "A. Person"), ("authors", [1]), ("upvotes", "3"),
                       ("upvotes", True), ("batch", "1"), ("links", [{"url": "u"}]), ("published", 2023)]:
        with pytest.raises(ValueError, match=field):
            Paper.from_dict({**good, field: bad})
    assert Paper.from_dict({**good, "upvotes": None, "published": None}).upvotes is None
    for field, bad in [("tags", "ml"), ("starred", "no"), ("note", 5), ("tags", [1])]:
        with pytest.raises(ValueError):
            PaperState.from_dict({field: bad})


@pytest.mark.parametrize("field, bad, says", [
    ("read", 1, "read is int"), ("starred", "no", "starred is str"), ("note", 5, "note is int"),
    ("tags", "ml", "tags is str"), ("tags", ["ok", 1], "a tag is not text"), ("read_at", 3, "read_at is int"),
    ("starred_at", [], "starred_at is array"), ("updated", 1.5, "updated is float"),
])
def test_a_state_record_of_the_wrong_type_says_which_field(field, bad, says):
    with pytest.raises(ValueError, match=says):
        PaperState.from_dict({field: bad})
    with pytest.raises(ValueError, match=says):  # also beside a key we do not know
        PaperState.from_dict({field: bad, "colour": "red"})


def test_a_state_record_drops_unknown_keys_and_keeps_no_list_of_the_caller():
    tags = ["a", "b"]
    state = PaperState.from_dict({"tags": tags, "read": True, "colour": "red", "read_at": None})
    assert state == PaperState(read=True, tags=["a", "b"])
    tags.append("c")
    assert state.tags == ["a", "b"]
