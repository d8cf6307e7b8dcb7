"""Normalization and the site-chrome rule."""

import pytest

from dedup.normalize import drop_chrome, line_key, line_keys, normalize


@pytest.mark.parametrize("raw,expected", [
    ("\u201cQuoted\u201d and \u2018single\u2019", "\"quoted\" and 'single'"),
    ("en\u2013dash em\u2014dash", "en-dash em-dash"),
    ("Full\uff37idth \uff21\uff22\uff23\uff11\uff12", "fullwidth abc12"),
    ("He said \\\"no\\\"", 'he said "no"'),
    ("a\u00a0b\u3000c   d", "a b c d"),
    ("Line one\n\n\n  Line two  ", "line one\nline two"),
    ("STRASSE Stra\u00dfe", "strasse strasse"),
    ("zero\u200bwidth", "zerowidth"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_short_line_keys_ignore_case_and_symbols():
    assert line_key("Back To Top \u2191", 12) == line_key("back to top", 12)
    assert line_key("This line has far too many words to be a navigation element of a site", 12) \
        is None
    assert line_key("   ", 12) is None


def test_drop_chrome_keeps_content_and_never_empties_a_text():
    chrome = {line_key("Leave a Reply", 12), line_key("Back To Top", 12)}
    text = "Leave a Reply\nThe minister arrived in Lisbon on Monday.\nBack To Top"
    assert drop_chrome(text, chrome, 12) == "The minister arrived in Lisbon on Monday."
    assert drop_chrome("Leave a Reply\nBack To Top", chrome, 12) == "Leave a Reply\nBack To Top"


def test_line_keys_are_distinct_short_lines():
    keys = line_keys("Share\nshare\nA long paragraph " + "word " * 30 + "\nHome", 12)
    assert len(keys) == 2
