from masthead import characters


def test_first_bad_names_the_character_and_its_place():
    """The first control character is named by code point and position."""
    assert characters.first_bad("Leave\x01 the region") == "U+0001 at character 6"
    assert characters.first_bad("tab\tnew\nline\r ok") is None
    assert characters.first_bad("\x85") == "U+0085 at character 1"
    assert characters.first_bad("\ufffe") == "U+FFFE at character 1"
    assert characters.first_bad("lone \ud800") == "U+D800 at character 6"
    assert characters.first_bad("") is None


def test_strip_leaves_text_and_drops_the_rest():
    """Persian, accents and line breaks stay; controls go."""
    assert characters.strip("ایران\x08 Daily\x7f\n") == "ایران Daily\n"


def test_strip_all_cleans_every_string_of_json_like_data():
    """Strings in nested dicts, lists and tuples are stripped, keys included; other values are kept as they are."""
    data = {"head\x01line": ["Iran\x1f", ("FM\x85",)], "count": 3, "none": None}
    assert characters.strip_all(data) == {"headline": ["Iran", ("FM",)], "count": 3, "none": None}
