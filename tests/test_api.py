"""The stored-query catalogue as a web API (issue 15.8): ``GET /api/NAME?param=value`` on a real
``gcmgraph serve``, parameters bound as RDF terms, content negotiation over the formats of
gcmgraph, and an OpenAPI 3 document that a well-kept validator accepts and that ``gcmgraph list
--format openapi`` writes too. Facts asserted here are the sources' (see tests/test_queries.py)."""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from rdflib.compare import isomorphic
from servers import Served, call, listener, running_serve

from gcmgraph.bridge import graph_of
from gcmgraph.cli import main
from gcmgraph.errors import QueryParameterError
from gcmgraph.queries import bind, catalogue, find_query, run_query
from gcmgraph.results import from_solutions_json

QUERIES = catalogue()
ID = "https://w3id.org/gcmgraph/id/"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with running_serve() as server:
        yield server


@pytest.fixture(scope="module")
def document(served: Served) -> dict:
    answer = call(f"{served.base}/api/openapi.json")
    assert (answer.status, answer.content_type) == (200, "application/json")
    return json.loads(answer.body)


def api(served: Served, name: str, params: list[tuple[str, str]] | None = None, accept: str = ""):
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return call(f"{served.base}/api/{name}{query}", headers={"Accept": accept} if accept else {})


def rows(answer) -> list[dict[str, str]]:
    assert answer.status == 200, answer.text
    result = from_solutions_json("SELECT", answer.body)
    return [{k: v.value for k, v in record.items()} for record in result.records()]


def one_line(answer) -> str:
    assert answer.content_type == "text/plain; charset=utf-8"
    assert answer.text.count("\n") == 1 and answer.text.endswith("\n"), answer.text
    return answer.text.rstrip("\n")


# -- the document ------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_is_what_list_writes(document: dict) -> None:
    validate(document)  # openapi-spec-validator: raises on any violation of OpenAPI 3
    listed = CliRunner().invoke(main, ["list", "--format", "openapi"])
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout) == document


def test_the_document_describes_every_stored_query_from_its_header(document: dict) -> None:
    assert sorted(document["paths"]) == sorted(f"/api/{q.name}" for q in QUERIES)
    for query in QUERIES:
        operation = document["paths"][f"/api/{query.name}"]["get"]
        assert (operation["summary"], operation["tags"]) == (query.summary, list(query.tags))
        assert [p["name"] for p in operation["parameters"]] == [p.name for p in query.parameters] + ["format"]
        for spec, param in zip(operation["parameters"], query.parameters, strict=False):
            assert spec["required"] is (param.required and not param.default)
        graph = query.form in ("CONSTRUCT", "DESCRIBE")
        media = set(operation["responses"]["200"]["content"])
        assert ("text/turtle" in media, "application/sparql-results+json" in media) == (graph, not graph)


def test_examples_defaults_and_allowed_values_fit_their_schemas(document: dict) -> None:
    years = document["paths"]["/api/events-in-year"]["get"]["parameters"][0]
    assert (years["schema"]["items"], years["example"]) == ({"type": "integer"}, [2017])
    checked = 0
    for path in document["paths"].values():
        for spec in path["get"]["parameters"]:
            validator = OAS30Validator(spec["schema"])
            for value in [spec.get("example"), spec["schema"].get("default")]:
                if value is not None:
                    validator.validate(value)
                    checked += 1
    assert checked > 40


# -- every endpoint, called as a client reads the document ---------------------------------------


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_endpoint_answers_its_examples_like_the_local_query(
    bundled, served: Served, document: dict, query
) -> None:
    specs = document["paths"][f"/api/{query.name}"]["get"]["parameters"]
    params = [(s["name"], str(v)) for s in specs if "example" in s for v in s["example"]]
    answer = api(served, query.name, params)
    assert answer.status == 200, answer.text
    local = run_query(bundled, query, {name: [value] for name, value in params})
    if local.is_graph:
        assert answer.content_type == "application/ld+json"
        served_graph = graph_of(t.triple for t in ox.parse(answer.body, format=ox.RdfFormat.JSON_LD))
        assert isomorphic(served_graph, graph_of(local.triples))
        return
    assert answer.content_type == "application/sparql-results+json"
    remote = from_solutions_json(local.form, answer.body)
    assert (remote.variables, remote.boolean) == (local.variables, local.boolean)
    assert Counter(remote.rows) == Counter(local.rows)


def test_thematic_sessions_are_the_six_of_2017_and_vienna_met_on_4_september(served: Served) -> None:
    # Seed 002: six thematic consultations in Geneva, New York and Vienna; seed 000: "(September 4-5, Vienna)".
    sessions = rows(api(served, "thematic-sessions"))
    assert sorted({r["ordinal"] for r in sessions}) == ["1", "2", "3", "4", "5", "6"]
    assert {r["city_label"] for r in sessions} == {"Geneva", "New York City", "Vienna"}
    vienna = {(r["session"], r["start"], r["end"]) for r in sessions if r["city_label"] == "Vienna"}
    assert vienna == {(ID + "event/thematic-session-5", "2017-09-04", "2017-09-05")}


@pytest.mark.parametrize("fmt", ["csv", "json", "xml"])
def test_gathered_sources_come_in_the_order_the_command_gives(served: Served, fmt: str) -> None:
    """The API sorts a gathered cell as ``gcmgraph query`` does, so both give the same bytes."""
    params = [("city", "place:vienna")]
    local = CliRunner().invoke(main, ["query", "events-in-city", "-p", "city=place:vienna", "-f", fmt])
    assert api(served, "events-in-city", [*params, ("format", fmt)]).body == local.stdout_bytes


def test_events_in_two_cities_and_an_optional_parameter(served: Served) -> None:
    both = rows(api(served, "events-in-city", [("city", "place:vienna"), ("city", "place:marrakech")]))
    assert {r["city_label"] for r in both} == {"Vienna", "Marrakech"}
    # Public record fact 4: against A/RES/73/195 voted Czech Republic, Hungary, Israel, Poland, United States.
    against = rows(api(served, "vote-record", [("vote", "event:ga-endorsement-2018"), ("position", "gcm:Against")]))
    assert {r["state"] for r in against} == {f"{ID}state/{c}" for c in ("cze", "hun", "isr", "pol", "usa")}
    adopted = api(served, "was-adopted-in-marrakech")
    assert json.loads(adopted.body) == {"head": {}, "boolean": True}


def test_formats_by_name_and_by_accept_header(served: Served) -> None:
    vienna = [("city", "place:vienna")]
    csv = api(served, "events-in-city", [*vienna, ("format", "csv")])
    assert csv.content_type == "text/csv; charset=utf-8"
    assert csv.text.splitlines()[0] == "city,city_label,start,end,precision,event,event_label,source"
    assert (
        "2017-09-04,2017-09-05,https://w3id.org/gcmgraph/ontology#DayPrecision,https://w3id.org/gcmgraph/id/event/thematic-session-5"
        in csv.text
    )
    assert api(served, "events-in-city", vienna, accept="text/csv").body == csv.body
    table = api(served, "events-in-city", vienna, accept="text/plain")
    assert table.text.splitlines()[0].split() == [
        "city",
        "city_label",
        "start",
        "end",
        "precision",
        "event",
        "event_label",
        "source",
    ]
    markdown = api(served, "events-in-city", [*vienna, ("format", "md")], accept="text/csv")  # format= wins
    assert markdown.content_type == "text/markdown; charset=utf-8" and markdown.text.startswith("| city |")
    card = api(served, "resource-card", [("resource", "place:vienna")], accept="text/turtle")
    assert card.content_type == "text/turtle; charset=utf-8"
    labels = {
        (t.subject.value, t.object.value)
        for t in ox.parse(card.body, format=ox.RdfFormat.TURTLE)
        if t.predicate.value.endswith("#label")
    }
    assert (ID + "place/vienna", "Vienna") in labels


def _refusal(name: str, params: dict[str, list[str]]) -> str:
    """The one line the library gives for these parameters (the API must pass it on unchanged)."""
    with pytest.raises(QueryParameterError) as refused:
        bind(find_query(name), params)
    return str(refused.value)


def test_bad_requests_get_one_line_and_the_right_status(served: Served) -> None:
    checks = [
        (api(served, "events-in-city"), 400, _refusal("events-in-city", {})),
        (api(served, "events-in-year", [("year", "twenty")]), 400, _refusal("events-in-year", {"year": ["twenty"]})),
        (
            api(served, "events-in-city", [("city", "place:vienna"), ("town", "x")]),
            400,
            _refusal("events-in-city", {"city": ["place:vienna"], "town": ["x"]}),
        ),
        (
            api(served, "events-in-city", [("city", "place:vienna"), ("format", "turtle")]),
            400,
            "format=turtle does not fit a table (SELECT/ASK) result; use one of table, csv, tsv, json, xml, markdown",
        ),
        (
            api(served, "events-in-city", [("city", "place:vienna")], accept="image/png"),
            406,
            "no format for a table (SELECT/ASK) result matches 'Accept: image/png'; offered: text/plain, text/csv, "
            "text/tab-separated-values, application/sparql-results+json, application/sparql-results+xml, text/markdown",
        ),
        (api(served, "no-such-query"), 404, "no stored query 'no-such-query'; the catalogue is at /api/openapi.json"),
        (
            call(f"{served.base}/api/thematic-sessions", data=b"", method="POST"),
            405,
            "POST is not allowed here; use GET or HEAD",
        ),
    ]
    assert "parameter 'city': missing" in checks[0][2]
    for answer, status, line in checks:
        assert (answer.status, one_line(answer)) == (status, line)


def test_hostile_values_are_bound_as_terms_and_reach_nothing(served: Served) -> None:
    with listener() as (url, hits):
        value = f"<{url}/x> }} SERVICE <{url}/y> {{ ?a ?b ?c"
        spliced = api(served, "events-in-city", [("city", value)])
        assert (spliced.status, one_line(spliced)) == (400, _refusal("events-in-city", {"city": [value]}))
        as_iri = api(served, "events-in-city", [("city", f"{url}/x")])
        assert rows(as_iri) == []  # just an IRI that names no city
        as_text = api(served, "site-resources", [("kind", f'phase" }} SERVICE <{url}/z> {{ ?s ?p ?o }} #')])
        assert rows(as_text) == []  # just a string that names no kind
    assert hits == []
