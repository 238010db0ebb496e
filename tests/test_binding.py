"""Parameters are bound as RDF terms in a VALUES block: the query's own text never changes, and
every value comes back exactly as given, whatever characters it holds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from gcmgraph.sparql_text import (
    InjectionError,
    inject_values,
    outside_features,
    projected_variables,
    query_form,
    sparql_term,
    values_block,
)

BLOCK = 'VALUES ?_x { "v" }'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?_x WHERE { ?s ?p ?_x }", 'SELECT ?_x WHERE { VALUES ?_x { "v" }  ?s ?p ?_x }'),
        ("SELECT ?_x { ?s ?p ?_x }", 'SELECT ?_x { VALUES ?_x { "v" }  ?s ?p ?_x }'),
        ("ASK { ?s ?p ?_x }", 'ASK { VALUES ?_x { "v" }  ?s ?p ?_x }'),
        (
            "CONSTRUCT { ?s ?p ?_x } WHERE { ?s ?p ?_x }",
            'CONSTRUCT { ?s ?p ?_x } WHERE { VALUES ?_x { "v" }  ?s ?p ?_x }',
        ),
        ("CONSTRUCT { ?s ?p ?_x } { ?s ?p ?_x }", 'CONSTRUCT { ?s ?p ?_x } { VALUES ?_x { "v" }  ?s ?p ?_x }'),
        (
            '# a comment with { braces }\nSELECT ("{" AS ?b) ?_x WHERE { ?s ?p "}" }',
            '# a comment with { braces }\nSELECT ("{" AS ?b) ?_x WHERE { VALUES ?_x { "v" }  ?s ?p "}" }',
        ),
        (
            "SELECT ?_x WHERE { SELECT ?_x WHERE { ?s ?p ?_x } }",
            'SELECT ?_x WHERE { VALUES ?_x { "v" } { SELECT ?_x WHERE { ?s ?p ?_x } } }',
        ),
        ("DESCRIBE ?_x", 'DESCRIBE ?_x\nWHERE { VALUES ?_x { "v" } }\n'),
    ],
    ids=[
        "select",
        "select-no-where",
        "ask",
        "construct",
        "construct-no-where",
        "braces-in-strings",
        "subselect",
        "describe-no-where",
    ],
)
def test_values_block_goes_first_in_the_where_group(query: str, expected: str) -> None:
    bound = inject_values(query, [BLOCK])
    assert bound == expected
    ox.Store().query(bound)  # still valid SPARQL


def test_construct_where_short_form_cannot_take_parameters() -> None:
    with pytest.raises(InjectionError):
        inject_values("CONSTRUCT WHERE { ?s ?p ?_x }", [BLOCK])


def test_query_forms_and_updates_are_recognised() -> None:
    assert query_form("PREFIX a: <x:> # SELECT\nASK {}") == "ASK"
    assert query_form("INSERT DATA { <a:b> <a:c> <a:d> }") == "UPDATE"
    assert query_form("LOAD <file:///etc/passwd>") == "UPDATE"


def test_service_and_from_are_found_but_not_inside_strings_or_comments() -> None:
    text = '# SERVICE <x:y>\nSELECT * FROM <http://e/g> FROM NAMED <http://e/h> WHERE { SERVICE <http://e/s> { ?s ?p "SERVICE" } }'
    found = [(f.keyword, f.target) for f in outside_features(text)]
    assert found == [("FROM", "<http://e/g>"), ("FROM NAMED", "<http://e/h>"), ("SERVICE", "<http://e/s>")]


_query = "SELECT ?_x WHERE { }"


def _round_trip(term: ox.NamedNode | ox.Literal) -> None:
    bound = inject_values(_query, [values_block("_x", [term])])
    # The structure never changes: removing the block gives back the original text.
    assert bound.replace(" " + values_block("_x", [term]) + " ", "") == _query
    oxigraph_value = next(iter(ox.Store().query(bound)))["_x"]
    assert oxigraph_value == term
    rdflib_value = next(iter(rdflib.Graph().query(bound)))[0]
    assert str(rdflib_value) == term.value
    if isinstance(term, ox.Literal) and term.language:
        assert rdflib_value.language == term.language


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_value_round_trips_exactly(value: str) -> None:
    _round_trip(ox.Literal(value))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("\\u\"'{}#<>\n\r\t U0AF"), max_size=30))
def test_escape_heavy_values_round_trip_exactly(value: str) -> None:
    _round_trip(ox.Literal(value, language="en"))


def test_backslash_u_is_never_read_as_an_escape() -> None:
    value = "a\\u0022} } DELETE WHERE { ?s ?p ?o } #"
    assert "\\U00000075" in sparql_term(ox.Literal(value))
    _round_trip(ox.Literal(value))


def test_a_comment_ends_at_a_carriage_return_as_in_sparql() -> None:
    text = "# a note\rSELECT ?_x WHERE { }"
    assert query_form(text) == "SELECT"
    bound = inject_values(text, [BLOCK])
    assert bound == '# a note\rSELECT ?_x WHERE { VALUES ?_x { "v" }  }'
    assert next(iter(ox.Store().query(bound)))["_x"] == ox.Literal("v")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } GROUP BY ?a", ["a", "n"]),
        ("SELECT DISTINCT ?a ?b { ?a ?p ?b }", ["a", "b"]),
        ("SELECT * WHERE { ?a ?p ?b }", None),
        ("ASK { ?a ?p ?b }", None),
        ("PREFIX x: <x:> SELECT (STR(?a) AS ?s) FROM <x:g> WHERE { ?a ?p ?b }", ["s"]),
    ],
    ids=["aggregate", "no-where", "star", "ask", "expression-and-from"],
)
def test_projected_variables_are_what_a_select_returns(query: str, expected: list[str] | None) -> None:
    assert projected_variables(query) == expected
