"""The view in the URL: one parser and one serializer for filters, persona and wave."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from dash_personas import ViewState, view_state_from_args, view_state_from_search


def test_keys_are_the_documented_ones():
    state = ViewState({"age_band": ("18 to 24", "25 to 34"), "gender": ("Woman",)},
                      persona="p3", wave="2026-Q2")
    query = state.to_query()
    assert parse_qs(query) == {"persona": ["p3"], "wave": ["2026-Q2"],
                               "f.age_band": ["18 to 24", "25 to 34"], "f.gender": ["Woman"]}
    assert " " not in query and "%20" in query
    assert view_state_from_search("?" + query) == state


def test_default_view_is_an_empty_query():
    assert ViewState().to_query() == ""
    assert view_state_from_search("") == ViewState()
    assert view_state_from_search(None) == ViewState()


def test_other_keys_and_empty_values_are_ignored():
    state = view_state_from_args({"utm_source": ["mail"], "persona": ["", "p2", "p4"],
                                  "f.": ["x"], "f.region": ["North", "North"],
                                  "f.gender": []})
    assert state == ViewState({"region": ("North",)}, persona="p2")


def test_flask_request_args_parse_the_same(tmp_path):
    from flask import Flask, request

    app = Flask(__name__)
    state = ViewState({"a&b=c": ("x y", "é/?#")}, persona="p1")
    with app.test_request_context("/?" + state.to_query()):
        assert view_state_from_args(request.args.to_dict(flat=False)) == state


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@given(st.dictionaries(_text, st.lists(_text, min_size=1, max_size=3), max_size=4),
       st.none() | _text, st.none() | _text)
def test_round_trip(filters, persona, wave):
    state = ViewState({k: tuple(v) for k, v in filters.items()}, persona=persona, wave=wave)
    query = state.to_query()
    assert urlsplit("http://h/?" + query).query == query  # one URL, nothing lost
    assert view_state_from_search("?" + query) == state


def test_a_range_filter_is_one_readable_pair():
    state = ViewState({"clv": ("100..2500",), "spend": ("..40.5",)}, wave="W2")
    assert state.to_query() == "wave=W2&f.clv=100..2500&f.spend=..40.5"
    assert view_state_from_search("?" + state.to_query()) == state
