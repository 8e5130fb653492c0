from masthead.search.query import parse
from masthead.search.snippets import snippet


def test_matches_are_marked_and_the_rest_escaped():
    html = snippet(parse("iran"), 'Talks between <b>Iran</b> & "Iraq" resumed.')
    assert html == 'Talks between &lt;b&gt;<mark>Iran</mark>&lt;/b&gt; &amp; &quot;Iraq&quot; resumed.'


def test_a_phrase_is_one_mark_and_lone_words_of_it_are_not_marked():
    html = snippet(parse('"foreign forces"'), "Foreign ministers said foreign forces must go; forces of change.")
    assert html == "Foreign ministers said <mark>foreign forces</mark> must go; forces of change."


def test_word_beginnings_are_marked():
    assert snippet(parse("negotia*"), "The negotiators resumed negotiations.") == \
        "The <mark>negotiators</mark> resumed <mark>negotiations</mark>."


def test_the_window_moves_to_the_match_in_a_long_text():
    body = " ".join(f"w{n}" for n in range(200)) + " Zarif spoke. " + " ".join(f"v{n}" for n in range(200))
    html = snippet(parse("zarif"), body)
    assert html.startswith("… w196 w197 w198 w199 <mark>Zarif</mark> spoke.")
    assert html.endswith(" …")


def test_falls_back_to_the_second_text_then_to_the_start_of_the_first():
    assert snippet(parse("summit"), "Body text.", "A summit was held.") == "A <mark>summit</mark> was held."
    assert snippet(parse("absent"), "Body text.", "A summit.") == "Body text."


def test_persian_matches_are_marked():
    assert snippet(parse("كتاب"), "این کتاب خوب است") == "این <mark>کتاب</mark> خوب است"
