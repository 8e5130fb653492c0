import re

import pytest

from masthead.search import query
from masthead.search.backends.postgresql import query_literal
from masthead.search.backends.sqlite import match_expression
from masthead.search.query import Term


def test_words_phrases_and_word_beginnings():
    """Bare words, quoted phrases and a trailing * each become one term."""
    parsed = query.parse('Zarif "foreign forces" negotia*')
    assert parsed.terms == (Term(("zarif",)), Term(("foreign", "forces")), Term(("negotia",), prefix=True))


def test_punctuation_inside_a_word_makes_a_phrase():
    """'al-Araji' is the phrase al araji, as the index cuts it."""
    assert query.parse("al-Araji").terms == (Term(("al", "araji")),)


def test_an_unclosed_quote_is_a_phrase_to_the_end():
    assert query.parse('"foreign forces').terms == (Term(("foreign", "forces")),)


def test_short_word_beginnings_match_whole_words():
    """'a*' would match most of the archive, so it is read as the word 'a'."""
    assert query.parse("a* ir*").terms == (Term(("a",)), Term(("ir",)))


@pytest.mark.parametrize("raw", ["", "   ", "!!!", "*", '""', "()[]{}", "-", "^:", "—…«»", "\u200c"])
def test_input_without_letters_or_digits_is_an_empty_query(raw):
    assert not query.parse(raw)


def test_long_input_is_cut_and_says_so():
    parsed = query.parse("word " * 1000)
    assert parsed.shortened
    assert len(parsed.text) == query.MAX_CHARS
    assert query.parse(" ".join(f"w{n}" for n in range(30))).terms[-1] == Term(("w11",))


def test_persian_letters_fold_to_one_form():
    """Arabic yeh and kaf, as Arabic keyboards type them, are the Persian letters; Persian digits are digits."""
    assert query.parse("كتاب علي ۱۴۰۰").terms == (Term(("کتاب",)), Term(("علی",)), Term(("1400",)))


@pytest.mark.parametrize("raw", ['foo" OR bar', "NEAR(a b)", "headline:iran", "^iran", "a AND NOT b", "x'y\\z",
                                 "';DROP TABLE news_article;--", "*iran", "iran**"])
def test_fts_syntax_in_input_is_quoted_as_words(raw):
    """Every term reaches FTS5 and tsquery as a quoted literal, never as operators."""
    parsed = query.parse(raw)
    assert re.fullmatch(r'"[^\W_]+( [^\W_]+)*"\*?( "[^\W_]+( [^\W_]+)*"\*?)*', match_expression(parsed))
    assert re.fullmatch(r"\(?'[^\W_]+'(:\*)?( (<->|&) \(?'[^\W_]+'(:\*)?\)?)*", query_literal(parsed))


def test_sqlite_and_postgresql_expressions():
    parsed = query.parse('"foreign forces" negotia* iran')
    assert match_expression(parsed) == '"foreign forces" "negotia"* "iran"'
    assert query_literal(parsed) == "('foreign' <-> 'forces') & 'negotia':* & 'iran'"
