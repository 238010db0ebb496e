"""The stored query catalogue: every query in queries/ gives the answer written by hand in
tests/expected/, and the answers state the facts of the sources.

Each query has exactly one expected file, ``<name>.srj`` (SPARQL 1.1 Query Results JSON, for SELECT
and ASK) or ``<name>.ttl`` (Turtle, for CONSTRUCT and DESCRIBE), and each expected file has its
query. The query runs with the ``examples`` of its header; rows are compared in order when the
query has ORDER BY and as a bag otherwise, literals by value, datatype and language; graphs are
compared by isomorphism.

The expected files were typed from the sources (seeds/*.txt, reference/public-record.md and
reference/un-member-states.csv), never pasted from the program's output; tests/expected/README.md
says how the larger ones were built. The fact tests below state each fact as its source does.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from conftest import ROOT, gathered
from rdflib.compare import isomorphic, to_isomorphic

from gcmgraph import open_graph
from gcmgraph.bridge import graph_of
from gcmgraph.cli import main
from gcmgraph.queries import catalogue, find_query, run_query
from gcmgraph.sparql_text import tokenize
from gcmgraph.sparql_text import variables as variables_of

EXPECTED = ROOT / "tests" / "expected"
QUERIES = {query.name: query for query in catalogue()}
EXPECTED_FILES = sorted(path for path in EXPECTED.iterdir() if path.suffix in (".srj", ".ttl"))

# Queries whose answer describes the project's own files (the ontology, the shapes, the graph's
# make-up) rather than facts of the sources. They have no expected file: the tests in the section
# "Structural queries" below check them against properties the sources fix (counts, names) and
# against ontology/gcm.ttl and ontology/shapes.ttl read independently with rdflib.
STRUCTURAL = {
    "class-counts": "how many resources of each class: counted again with rdflib; the counts the sources fix",
    "site-ontology": "the ontology's header: as ontology/gcm.ttl states it",
    "site-shapes": "the SHACL shapes: as ontology/shapes.ttl states them",
    "site-term-relations": "where a term sits in the ontology: as ontology/gcm.ttl states it",
    "site-terms": "the ontology's terms: as ontology/gcm.ttl states them; the schemes the sources fix",
}

ID = "https://w3id.org/gcmgraph/id/"
GCM = "https://w3id.org/gcmgraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def node(kind: str, slug: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}{kind}/{slug}")


def gcm(name: str) -> ox.NamedNode:
    return ox.NamedNode(GCM + name)


def date(day: str) -> ox.Literal:
    return ox.Literal(day, datatype=ox.NamedNode(XSD + "date"))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def examples(query) -> dict[str, list[str]]:
    """The header's ``examples``: parameter name -> the values to run the query with."""
    raw = query.header.get("examples") or {}
    pairs = raw.items() if isinstance(raw, dict) else [pair for entry in raw for pair in entry.items()]
    return {str(name): [str(v) for v in (value if isinstance(value, list) else [value])] for name, value in pairs}


def has_order_by(query) -> bool:
    tokens = tokenize(query.text)
    return any(a.keyword == "ORDER" and b.keyword == "BY" for a, b in pairwise(tokens))


def expected_file(name: str) -> Path:
    found = [p for p in (EXPECTED / f"{name}.srj", EXPECTED / f"{name}.ttl") if p.is_file()]
    if len(found) != 1:
        pytest.fail(f"queries/{name}.rq needs exactly one expected file in tests/expected/, found {len(found)}")
    return found[0]


def cell(term: ox.NamedNode | ox.Literal | None) -> object:
    """A term as the comparison sees it (conftest.gathered): a cell that gathers several values is
    compared as the set of them, since SPARQL leaves their order to the engine."""
    return gathered(term)


def records(result) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """The rows of a SELECT answer as dictionaries of their bound variables."""
    return result.records()


def run(bundled, name: str, **params: str | list[str]):
    """Run a stored query; a parameter given as a list is bound to all its values."""
    values = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    return run_query(bundled, name, values)


# ---------------------------------------------------------------------------------------------
# Every query has its expected answer, and every expected answer its query


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_has_exactly_one_expected_file(name: str) -> None:
    found = [p.name for p in (EXPECTED / f"{name}.srj", EXPECTED / f"{name}.ttl") if p.is_file()]
    if name in STRUCTURAL:
        assert found == [], f"queries/{name}.rq is checked by property tests (STRUCTURAL); remove {found}"
        return
    assert len(found) == 1, f"queries/{name}.rq needs exactly one of tests/expected/{name}.srj or .ttl, found {found}"
    graph_form = QUERIES[name].form in ("CONSTRUCT", "DESCRIBE")
    assert found[0].endswith(".ttl" if graph_form else ".srj"), (
        f"{QUERIES[name].form} answers go in {name}.{'ttl' if graph_form else 'srj'}"
    )


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=[p.name for p in EXPECTED_FILES])
def test_every_expected_file_has_a_query(path: Path) -> None:
    assert path.stem in QUERIES, f"tests/expected/{path.name} has no queries/{path.stem}.rq"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_required_parameter_has_an_example(name: str) -> None:
    query = QUERIES[name]
    missing = [p.name for p in query.parameters if p.required and not p.default and p.name not in examples(query)]
    assert not missing, f"queries/{name}.rq: add '#+ examples:' for {', '.join(missing)}"


@pytest.mark.parametrize("name", sorted(set(QUERIES) - set(STRUCTURAL)))
def test_query_gives_the_expected_answer(bundled, name: str) -> None:
    query = QUERIES[name]
    result = run_query(bundled, query, examples(query))
    path = expected_file(name)
    if path.suffix == ".ttl":
        # Both sides go through gcmgraph.bridge, so "x" and "x"^^xsd:string are the same term.
        expected = graph_of(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        got = graph_of(result.triples)
        if not isomorphic(got, expected):
            missing = sorted(to_isomorphic(expected) - to_isomorphic(got))
            extra = sorted(to_isomorphic(got) - to_isomorphic(expected))
            pytest.fail(f"{name}: graph differs; missing {missing[:5]}; unexpected {extra[:5]}")
        return
    parsed = ox.parse_query_results(path=str(path), format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        assert query.form == "ASK"
        assert result.boolean is bool(parsed)
        return
    variables = [v.value for v in parsed.variables]
    rows = [tuple(cell(solution[v]) for v in variables) for solution in parsed]
    got = [tuple(cell(term) for term in row) for row in result.rows]
    assert list(result.variables) == variables
    if has_order_by(query):
        for index, (got_row, want_row) in enumerate(zip(got, rows, strict=False)):
            assert got_row == want_row, f"{name}: row {index + 1} differs:\n got  {got_row}\n want {want_row}"
        assert len(got) == len(rows)
    else:
        assert Counter(got) == Counter(rows)


SELECTS = sorted(name for name, query in QUERIES.items() if query.form == "SELECT")


def key_of(query) -> list[str]:
    """The result variables the header's ``key`` names: together they identify the row's thing."""
    key = query.header.get("key") or []
    return [str(k) for k in (key if isinstance(key, list) else [key])]


@pytest.mark.parametrize("name", SELECTS)
def test_every_select_declares_a_key_among_its_variables(name: str) -> None:
    query = QUERIES[name]
    assert key_of(query), f"queries/{name}.rq: add '#+ key: [variable, ...]' naming what each row is about"
    assert set(key_of(query)) <= set(variables_of(query.text)), (
        f"queries/{name}.rq: key names a variable it does not select"
    )


@pytest.mark.parametrize("name", SELECTS)
def test_no_two_rows_share_a_key(bundled, name: str) -> None:
    """One row per thing: labels in English only, sources in one cell, optional values never multiply rows."""
    query = QUERIES[name]
    result = run_query(bundled, query, examples(query))
    positions = [list(result.variables).index(k) for k in key_of(query)]
    keys = Counter(tuple(row[i] for i in positions) for row in result.rows)
    repeated = [key for key, count in keys.items() if count > 1]
    assert not repeated, f"{name}: {len(repeated)} key(s) on more than one row, e.g. {repeated[0]}"


def test_expected_select_files_are_standard_sparql_json() -> None:
    for path in EXPECTED_FILES:
        if path.suffix == ".srj":
            payload = json.loads(path.read_text(encoding="utf-8"))
            assert "head" in payload and ("results" in payload or "boolean" in payload), path.name


def test_every_select_orders_its_rows() -> None:
    unordered = [name for name, query in QUERIES.items() if query.form == "SELECT" and not has_order_by(query)]
    assert unordered == []


# ---------------------------------------------------------------------------------------------
# How many rows each stored query gives (with the examples of its header), and where the sources
# fix that number. The key of every row is checked by the expected file of the query (written from
# the sources) or, for the STRUCTURAL queries, by the tests of the next section.

ROW_COUNTS: dict[str, tuple[int | None, str]] = {
    "class-counts": (None, "one per class with instances: counted again with rdflib, see test_class_counts_*"),
    "co-facilitators": (6, "GCM process 2 (fact 53), New York Declaration 2 (fact 54), IMRF modalities 2 (fact 38)"),
    "conflicting-claims": (
        12,
        "competing values: 165 states (L1), 11 June (L2), 'signed' (L3), six phase boundaries (L6), the summit "
        "on 16 Sept. 2016 and in September 2017 (seed 000), the conference at UN Headquarters (seed 004)",
    ),
    "consultations": (7, "seven regional civil-society consultations (seed 000; fact 59)"),
    "document-lineage": (8, "zero draft to final draft and agreed text (facts 64, 66-68), GCM (12), A/RES/73/195 (1)"),
    "events-by-organizer": (
        5,
        "General Assembly: 2016 summit (56), report launch (63), Marrakech (11), meetings 60, 61 (1)",
    ),
    "events-in-city": (1, "Vienna: the fifth thematic session (seed 000, fact 60)"),
    "events-in-phase": (2, "stocktaking: Puerto Vallarta meeting (fact 62), report launch 11 January 2018 (fact 63)"),
    "events-in-year": (28, "2017: the 28 events and documents of EXPECTED_2017 below"),
    "follow-up": (
        7,
        "capacity-building mechanism and its three parts (facts 25, 26), IMRF (31-33), regional reviews "
        "(35), UN Network on Migration (29)",
    ),
    "forum-meetings": (1, "the IMRF has met once, 17-20 May 2022 (fact 40)"),
    "forums": (5, "High-level Dialogue and IMRF (fact 31), GFMD (36), RCPs (seed 002), IOM's IDM (seed 002)"),
    "genina-proposals": (6, "Genina's six proposals (seed 004)"),
    "guiding-principles": (10, "ten guiding principles (fact 22)"),
    "marrakech-conference": (1, "one conference (fact 11)"),
    "negotiation-rounds": (6, "six rounds (fact 65)"),
    "non-participation": (
        2,
        "the United States: not in Marrakech (fact 19), not in the consensus of 13 July (fact 68)",
    ),
    "not-in-favour": (17, "5 against (fact 4) and 12 abstentions (fact 5) on A/RES/73/195"),
    "objectives": (23, "23 objectives (section C)"),
    "organizations": (27, "the organisations the sources name (tests/expected/organizations.srj, with each source)"),
    "participation": (
        10,
        "NNIRR 4 (seed 000, fact 74), Arbour 2 and Hilale 1 (facts 18, 51), Ban, Thomson (55), Amina Mohammed (28)",
    ),
    "people": (25, "the people the sources name (tests/expected/people.srj, with each source)"),
    "phases": (3, "consultation, stocktaking, negotiation (seed 001, fact 58)"),
    "plot-actor-network": (
        76,
        "organised 17, issued 27, published 4, served in 18, participated in 10 "
        "(tests/expected/plot-actor-network.srj)",
    ),
    "plot-lineage": (13, "the steps of the lineage (facts 2, 7, 17, 56, 64-69; seed 002 on Annex II)"),
    "plot-timeline": (56, "the 58 events of timeline from the 2016 summit on (the two of 2013 left out)"),
    "plot-vote-map": (193, "the 193 Member States (reference/un-member-states.csv)"),
    "plot-vote-totals": (1, "the recorded vote on A/RES/73/195 (fact 3)"),
    "resolutions-recalled": (5, "A/RES/73/195 recalls four resolutions (fact 8) and endorses the GCM (fact 7)"),
    "roles": (28, "the offices the sources give (section G, facts 9, 14, 18, 27, 28; seeds 000, 004)"),
    "single-source-facts": (53, "what rests on one non-UN source (tag V-1; tests/expected/single-source-facts.srj)"),
    "site-ontology": (1, "one ontology"),
    "site-resource": (15, "Vienna: 3 links in, 5 facts out, 3 sources and 4 locators (seeds 000, 002; fact 60; K)"),
    "site-resources": (3, "the three phases (seed 001)"),
    "site-shapes": (0, "the bundled graph holds no shapes: see test_site_shapes_*"),
    "site-sources": (
        9,
        "seeds 000, 001, 002, 004, the two reference files, A/RES/71/1, A/RES/73/195, the Progress Declaration",
    ),
    "site-term-examples": (3, "the three phases (seed 001)"),
    "site-term-relations": (3, "gcm:Draft: a class, a kind of document, with draft resolutions as a kind of it"),
    "site-terms": (
        5,
        "the five controlled lists: capacities, confidence levels, date precisions, decision methods, vote positions",
    ),
    "sources-of": (34, "the adoption in Marrakech: its facts (facts 7, 12, L1) times their sources"),
    "states-by-region": (9, "Western Europe (reference/un-member-states.csv)"),
    "thematic-sessions": (6, "six thematic sessions (seed 000, seed 001, fact 60)"),
    "timeline": (58, "every event the sources date (tests/expected/timeline.srj, one source list per row)"),
    "un-documents": (16, "the UN documents with a symbol (facts 1, 2, 8, 17, 37, 45, 52, 56, 57, 63; GA/12113)"),
    "us-withdrawal": (1, "one withdrawal, 2 December 2017 (fact 61)"),
    "vote-record": (17, "17 named states on A/RES/73/195 (facts 4, 5)"),
    "vote-tallies": (3, "Third Committee on the GCR (fact 48), A/RES/73/151 (46), A/RES/73/195 (3)"),
    "votes-by-region": (11, "the regions of the 17 named states, split by position (facts 4, 5; the CSV)"),
}


def test_every_select_has_its_row_count() -> None:
    assert sorted(ROW_COUNTS) == SELECTS


@pytest.mark.parametrize("name", SELECTS)
def test_row_count_is_the_one_the_sources_give(bundled, name: str) -> None:
    count, why = ROW_COUNTS[name]
    if count is None:
        return
    query = QUERIES[name]
    got = len(run_query(bundled, query, examples(query)).rows)
    assert got == count, f"{name}: {got} rows, the sources give {count} ({why})"


# ---------------------------------------------------------------------------------------------
# Structural queries: checked against the ontology and shapes files read with rdflib, and the
# numbers and names the sources fix

ONTOLOGY_FILE = ROOT / "ontology" / "gcm.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
ONTOLOGY_IRI = rdflib.URIRef("https://w3id.org/gcmgraph/ontology")
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def read(*paths: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path)
    return graph


def test_class_counts_are_the_counts_rdflib_finds(bundled) -> None:
    graph = read(ONTOLOGY_FILE, *DATA_FILES)
    expected = {}
    for cls in graph.subjects(rdflib.RDFS.isDefinedBy, ONTOLOGY_IRI):
        if (cls, rdflib.RDF.type, rdflib.OWL.Class) not in graph:
            continue
        kinds = set(graph.transitive_subjects(rdflib.RDFS.subClassOf, cls))
        members = {r for kind in kinds for r in graph.subjects(rdflib.RDF.type, kind)}
        if members:
            expected[str(cls)] = (len(set(graph.subjects(rdflib.RDF.type, cls))), len(members))
    rows = records(run(bundled, "class-counts"))
    got = {r["class"].value: (int(r["instances"].value), int(r["all_instances"].value)) for r in rows}
    assert len(rows) == len(got)
    assert got == expected


def test_site_ontology_gives_the_header_of_the_ontology_file(bundled) -> None:
    rows = records(run(bundled, "site-ontology"))
    assert len(rows) == 1
    row, graph = rows[0], read(ONTOLOGY_FILE)
    assert row["ontology"].value == str(ONTOLOGY_IRI)
    for column, prop in [
        ("title", rdflib.DCTERMS.title),
        ("creator", rdflib.DCTERMS.creator),
        ("license", rdflib.DCTERMS.license),
        ("created", rdflib.DCTERMS.created),
        ("modified", rdflib.DCTERMS.modified),
        ("version", rdflib.OWL.versionInfo),
        ("version_iri", rdflib.OWL.versionIRI),
    ]:
        assert row[column].value == str(graph.value(ONTOLOGY_IRI, prop)), column
    assert (row["prefix"].value, row["namespace"].value) == ("gcm", GCM)
    assert row["version_iri"].value.endswith("/" + row["version"].value)
    # The dates the description names are those of the sources: A/RES/71/1 (fact 56), Marrakech
    # (fact 12) and the endorsement (fact 1).
    for day in ("19 September 2016", "10 December 2018", "19 December 2018"):
        assert day in row["description"].value


def test_site_shapes_lists_every_shape_of_the_shapes_file(bundled) -> None:
    assert records(run(bundled, "site-shapes")) == []  # the bundled graph holds no shapes
    rows = records(run_query(open_graph([SHAPES_FILE]), "site-shapes", {}))
    shapes = read(SHAPES_FILE)
    expected = set()
    for shape in shapes.subjects(rdflib.RDF.type, rdflib.SH.NodeShape):
        parts = {str(p) for p in shapes.objects(shape, rdflib.SH.property)}
        expected |= {(str(shape), p) for p in parts} if parts else {(str(shape), None)}
    got = [(r["shape"].value, r["property_shape"].value if "property_shape" in r else None) for r in rows]
    assert len(got) == len(set(got)) == len(expected)
    assert set(got) == expected
    # The one way to ask "when": an event has exactly one start and one end date, written as xsd:date.
    by_part = {r["property_shape"].value: r for r in rows if "property_shape" in r}
    for part in ("EventShape-startDate", "EventShape-endDate"):
        row = by_part["https://w3id.org/gcmgraph/shapes#" + part]
        assert (row["min_count"].value, row["max_count"].value, row["datatype"].value) == ("1", "1", XSD + "date")


def test_site_term_relations_place_terms_as_the_ontology_does(bundled) -> None:
    rows = records(run(bundled, "site-term-relations"))
    assert {(r["relation"].value, r["target"].value) for r in rows} == {
        ("type", OWL + "Class"),
        ("subclass of", GCM + "Document"),
        ("has subclass", GCM + "DraftResolution"),
    }
    # An event is a meeting of a forum: the IMRF 2022 of mechanism:imrf (fact 40), the 2013 Dialogue
    # of the High-level Dialogue (fact 72).
    rows = records(run(bundled, "site-term-relations", term=GCM + "meetingOf"))
    relations = {(r["relation"].value, r["target"].value) for r in rows}
    assert {("domain", GCM + "Event"), ("range", GCM + "Forum")} <= relations


def test_site_terms_are_the_terms_the_ontology_defines(bundled) -> None:
    rows = records(run(bundled, "site-terms"))
    assert [r["term"].value.removeprefix(GCM) for r in rows] == [
        "Capacities",
        "ConfidenceLevels",
        "DatePrecisions",
        "DecisionMethods",
        "VotePositions",
    ]
    kinds = [OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "NamedIndividual"]
    kinds.append(SKOS + "ConceptScheme")
    rows = records(run(bundled, "site-terms", type=kinds))
    graph = read(ONTOLOGY_FILE)
    expected = {
        (str(kind), str(term))
        for term in graph.subjects(rdflib.RDFS.isDefinedBy, ONTOLOGY_IRI)
        for kind in graph.objects(term, rdflib.RDF.type)
        if str(kind) in kinds
    }
    got = [(r["type"].value, r["term"].value) for r in rows]
    assert len(got) == len(set(got))
    assert set(got) == expected
    assert all(len(r["label"].value) <= 80 and "definition" in r for r in rows)
    deprecated = {
        r["term"].value.removeprefix(GCM) for r in rows if "deprecated" in r and r["deprecated"].value == "true"
    }
    assert deprecated == {"date", "year", "startMonth", "endMonth", "startYear", "endYear"}
    # The three precisions of the one way to ask "when", the four positions of a recorded vote
    # (fact 3: in favour, against, abstention; fact 6: did not take part).
    members = {r["term"].value.removeprefix(GCM) for r in rows if r["type"].value == OWL + "NamedIndividual"}
    assert {"DayPrecision", "MonthPrecision", "YearPrecision"} <= members
    assert {"InFavour", "Against", "Abstention", "NotVoting"} <= members


# ---------------------------------------------------------------------------------------------
# Facts, stated as the sources state them


def test_vienna_thematic_session_is_on_smuggling_and_trafficking_4_5_september_2017(bundled) -> None:
    # Seed 000: "Smuggling of migrants, trafficking in persons and contemporary forms of slavery
    # (September 4-5, Vienna)"; seed 001: Thematic Session 5's full title.
    vienna = [r for r in records(run(bundled, "thematic-sessions")) if r["city_label"].value == "Vienna"]
    assert {r["session"] for r in vienna} == {node("event", "thematic-session-5")}
    row = vienna[0]
    assert row["theme"].value == (
        "Smuggling of migrants, trafficking in persons and contemporary forms of slavery, including appropriate "
        "identification, protection and assistance to migrants and trafficking victims"
    )
    assert (row["start"], row["end"]) == (date("2017-09-04"), date("2017-09-05"))
    assert row["ordinal"] == integer(5)


def test_there_were_six_thematic_sessions_in_geneva_new_york_and_vienna(bundled) -> None:
    # Seed 002: "the six informal thematic consultations ... in Geneva, New York and Vienna".
    rows = records(run(bundled, "thematic-sessions"))
    assert len({r["session"] for r in rows}) == 6
    assert {r["city_label"].value for r in rows} == {"Geneva", "New York City", "Vienna"}


def test_marrakech_conference_took_place_in_morocco(bundled) -> None:
    # Public record fact 11: "took place in Marrakech, Morocco, on 10 and 11 December 2018".
    rows = records(run(bundled, "marrakech-conference"))
    assert {(r["city_label"].value, r["country_label"].value) for r in rows} == {("Marrakech", "Morocco")}
    assert {(r["start"], r["end"]) for r in rows} == {(date("2018-12-10"), date("2018-12-11"))}
    assert run(bundled, "was-adopted-in-marrakech").boolean is True


def test_164_states_adopted_the_compact_and_165_is_kept_as_a_rejected_claim(bundled) -> None:
    # Public record fact 12 and L1: "164 states ... vs '165 UN members' (AFP ...). Use 164."
    (row,) = records(run(bundled, "marrakech-conference"))
    assert row["approving_state_count"] == integer(164)
    assert set(row["claimed_counts"].value.split("; ")) == {"164 (adopted)", "165 (not adopted)"}


def test_five_states_voted_against_a_res_73_195(bundled) -> None:
    # Public record fact 4: "Czech Republic, Hungary, Israel, Poland, United States".
    rows = records(run(bundled, "vote-record", vote="event:ga-endorsement-2018", position="gcm:Against"))
    assert {r["state"] for r in rows} == {node("state", c) for c in ("cze", "hun", "isr", "pol", "usa")}
    assert {r["confidence"].value for r in rows} == {"verified in a UN source"}


def test_twelve_states_abstained_on_a_res_73_195(bundled) -> None:
    # Public record fact 5: "Algeria, Australia, Austria, Bulgaria, Chile, Italy, Latvia, Libya,
    # Liechtenstein, Romania, Singapore, Switzerland"; V-2 for five of them, V-1 for the rest.
    rows = records(run(bundled, "vote-record", vote="event:ga-endorsement-2018", position="gcm:Abstention"))
    codes = ["dza", "aus", "aut", "bgr", "chl", "ita", "lva", "lby", "lie", "rou", "sgp", "che"]
    assert {r["state"] for r in rows} == {node("state", c) for c in codes}
    confirmed = {r["state"] for r in rows if r["confidence"].value == "verified in two or more sources"}
    assert confirmed == {node("state", c) for c in ("aut", "aus", "che", "ita", "bgr")}


def test_switzerland_abstained_although_it_co_facilitated(bundled) -> None:
    # Public record L7: "Switzerland co-facilitated the negotiations but abstained on A/RES/73/195".
    co_facilitators = records(run(bundled, "co-facilitators"))
    lauber = [r for r in co_facilitators if r["person"] == node("person", "jurg-lauber")]
    assert {(r["office"], r["state"]) for r in lauber} == {(node("office", "gcm-co-facilitator"), node("state", "che"))}
    votes = records(run(bundled, "not-in-favour"))
    assert [r["position"] for r in votes if r["state"] == node("state", "che")] == [gcm("Abstention")]


def test_the_co_facilitators_represented_mexico_and_switzerland(bundled) -> None:
    # Seed 000: "co-facilitated by ... Permanent Representative of Mexico ... and ... Permanent
    # Representative of Switzerland"; public record fact 53.
    rows = [r for r in records(run(bundled, "co-facilitators")) if r["office"] == node("office", "gcm-co-facilitator")]
    assert {(r["person_label"].value, r["state_label"].value) for r in rows} == {
        ("Juan José Gómez Camacho", "Mexico"),
        ("Jürg Lauber", "Switzerland"),
    }


def test_vote_totals_of_a_res_73_195_add_up_to_193(bundled) -> None:
    # Public record facts 3 and 6: 152 in favour, 5 against, 12 abstentions, 24 not voting = 193.
    (row, *_) = [
        r for r in records(run(bundled, "vote-tallies")) if r["recorded_vote"] == node("event", "ga-endorsement-2018")
    ]
    counts = [int(row[k].value) for k in ("in_favour", "against", "abstentions", "not_voting")]
    assert counts == [152, 5, 12, 24]
    assert sum(counts) == 193
    # Only the 5 + 12 are named; no source names the 24 that did not vote (public record M2).
    assert row["states_named"] == integer(17)
    assert len({r["state"] for r in records(run(bundled, "not-in-favour"))}) == 17


def test_the_third_abstainer_on_the_refugee_compact_is_disputed(bundled) -> None:
    # Public record fact 48 and L5: Dominican Republic (UN News, AP) or Liberia (press release copy).
    rows = records(run(bundled, "vote-record", vote="event:gcr-affirmation-2018"))
    disputed = {r["state"] for r in rows if r["disputed"].value == "true"}
    assert disputed == {node("state", "dom"), node("state", "lbr")}


def test_events_in_vienna_and_marrakech_are_exactly_the_union(bundled) -> None:
    vienna = records(run(bundled, "events-in-city", city="place:vienna"))
    marrakech = records(run(bundled, "events-in-city", city="place:marrakech"))
    both = records(run(bundled, "events-in-city", city=["place:vienna", "place:marrakech"]))
    assert vienna and marrakech
    key = lambda r: tuple(sorted((k, str(v)) for k, v in r.items()))  # noqa: E731
    assert sorted(map(key, both)) == sorted(map(key, vienna + marrakech))
    # Public record facts 11 to 16: the conference, the adoption, two dialogues and the network's launch.
    assert {r["event"] for r in marrakech} == {
        node("event", slug)
        for slug in (
            "marrakech-conference-2018",
            "marrakech-adoption-2018",
            "marrakech-dialogue-commitments-2018",
            "marrakech-dialogue-partnerships-2018",
            "un-network-launch-2018",
        )
    }


def test_us_withdrew_on_2_december_2017_two_days_before_puerto_vallarta(bundled) -> None:
    # Public record facts 61 and 62; seed 000: "On the eve of the Stocktaking meeting".
    withdrawal = records(run(bundled, "us-withdrawal"))
    assert {r["date"] for r in withdrawal} == {date("2017-12-02")}
    assert {r["announced_by_label"].value for r in withdrawal} == {"Nikki Haley"}
    stocktaking = records(run(bundled, "events-in-phase", phase="phase:stocktaking"))
    meeting = {r["start"].value for r in stocktaking if r["event"] == node("event", "stocktaking-meeting-2017")}
    assert meeting == {"2017-12-04"}


def test_no_stocktaking_boundary_is_stated_as_agreed(bundled) -> None:
    # Public record L6: seed 001, IISD and Wikipedia disagree on both ends of the stocktaking phase.
    # The phase's plain bounds are the widest the claims allow: November 2017 to January 2018.
    (row,) = [r for r in records(run(bundled, "phases")) if r["phase"] == node("phase", "stocktaking")]
    assert set(row["start_claimed"].value.split("; ")) == {"2017-11", "2017-12"}
    assert set(row["end_claimed"].value.split("; ")) == {"2017-12", "2018-01"}
    assert (row["start"], row["end"]) == (date("2017-11-01"), date("2018-01-31"))
    assert row["precision"] == gcm("MonthPrecision")


def test_lineage_runs_from_the_zero_draft_to_the_endorsement(bundled) -> None:
    # Public record facts 64 to 69: zero draft (5 Feb 2018) ... agreed text (13 July 2018),
    # adoption at Marrakech (10 Dec 2018), endorsement by A/RES/73/195 (19 Dec 2018).
    rows = records(run(bundled, "document-lineage"))
    order = list(dict.fromkeys(r["document"] for r in rows))
    slugs = [
        "zero-draft",
        "zero-draft-plus",
        "draft-rev-1",
        "draft-rev-3",
        "final-draft",
        "agreed-text",
        "gcm",
        "a-res-73-195",
    ]
    assert order == [node("document", s) for s in slugs]
    dates = {r["document"]: r.get("date") for r in rows}
    assert dates[node("document", "zero-draft")] == date("2018-02-05")
    assert dates[node("document", "final-draft")] == date("2018-07-11")
    assert dates[node("document", "agreed-text")] == date("2018-07-13")
    assert dates[node("document", "gcm")] == date("2018-12-10")
    assert dates[node("document", "a-res-73-195")] == date("2018-12-19")


def test_a_res_73_195_recalls_four_resolutions_and_endorses_the_compact(bundled) -> None:
    # Public record fact 8 (71/1, 71/280, 72/244, 72/308) and fact 7 (endorses the GCM).
    rows = records(run(bundled, "resolutions-recalled", document="document:a-res-73-195"))
    recalled = {r["target_symbol"].value for r in rows if r["relation"] == gcm("recalls")}
    assert recalled == {"A/RES/71/1", "A/RES/71/280", "A/RES/72/244", "A/RES/72/308"}
    assert {r["target"] for r in rows if r["relation"] == gcm("endorses")} == {node("document", "gcm")}


def test_the_compact_has_23_objectives_and_10_guiding_principles(bundled) -> None:
    # Public record section C and fact 22; fact 24: "10 overarching guiding principles and 23 objectives".
    objectives = records(run(bundled, "objectives"))
    assert sorted({int(r["number"].value) for r in objectives}) == list(range(1, 24))
    assert {int(r["paragraph"].value) - int(r["number"].value) for r in objectives} == {16}
    principles = records(run(bundled, "guiding-principles"))
    assert [r["letter"].value for r in principles] == list("abcdefghij")


def test_class_counts_agree_with_the_reference_lists(bundled) -> None:
    counts = {r["class"]: int(r["all_instances"].value) for r in records(run(bundled, "class-counts"))}
    assert counts[gcm("State")] == 193  # reference/un-member-states.csv
    assert counts[gcm("Objective")] == 23
    assert counts[gcm("GuidingPrinciple")] == 10
    assert counts[gcm("ThematicSession")] == 6  # seed 001
    assert counts[gcm("NegotiationRound")] == 6  # public record fact 65
    assert counts[gcm("Proposal")] == 6  # seed 004
    assert counts[gcm("Phase")] == 3  # seed 001, public record fact 58
    assert counts[gcm("RecordedVote")] == 3  # facts 3, 46, 48: A/RES/73/195, A/RES/73/151, Third Committee
    # Named votes: 5 against and 12 abstentions on A/RES/73/195 (facts 4, 5); 2 against and 3 abstentions
    # on A/RES/73/151 plus Liberia, the disputed third abstainer (facts 47, 48); 1 against and 3
    # abstentions in the Third Committee (fact 48).
    assert counts[gcm("Vote")] == 5 + 12 + 2 + 3 + 1 + 1 + 3
    assert counts[gcm("DatePrecision")] == 3  # day, month, year
    assert counts[gcm("ConfidenceLevel")] == 3  # the public record's tags V-UN, V-2, V-1


def test_louise_arbour_held_two_offices_appointed_by_guterres(bundled) -> None:
    # Seed 000 and public record facts 50 and 51.
    rows = records(run(bundled, "roles", person="person:louise-arbour"))
    assert {r["person"] for r in rows} == {node("person", "louise-arbour")}
    assert {r["office"] for r in rows} == {
        node("office", "srsg-international-migration"),
        node("office", "secretary-general-of-the-conference"),
    }
    assert {r["appointed_by"] for r in rows} == {node("person", "antonio-guterres")}
    assert {r["start"].value for r in rows if "start" in r} == {"2017-03-09"}


def test_nnirr_observed_the_negotiations(bundled) -> None:
    # Seed 000: "NNIRR has participated ... as an observer to the negotiations".
    rows = records(run(bundled, "participation", actor="organization:nnirr"))
    observed = {r["event"] for r in rows if r["capacity"] == gcm("Observer")}
    assert observed == {node("event", "intergovernmental-negotiations-2018")}


def test_cli_prints_the_thematic_sessions_table() -> None:
    # The README's first command.
    result = CliRunner().invoke(main, ["query", "thematic-sessions"])
    assert result.exit_code == 0, result.output
    assert "Vienna" in result.stdout
    assert "Smuggling of migrants" in result.stdout
    assert result.stderr == ""


def test_cli_json_of_events_in_two_cities_is_the_union() -> None:
    args = ["query", "events-in-city", "-p", "city=place:vienna", "-p", "city=place:marrakech", "-f", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    cities = {b["city_label"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert cities == {"Vienna", "Marrakech"}


def test_find_query_knows_the_catalogue() -> None:
    assert find_query("timeline").summary.startswith("Every event")


# ---------------------------------------------------------------------------------------------
# One way to ask "when": gcm:startDate and gcm:endDate bound the period, gcm:datePrecision says how
# precisely the sources date it. The query below is the pattern the README documents.

WHAT_HAPPENED_IN_2017 = """
PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?thing ?start ?end ?precision
WHERE {
  VALUES ?kind { gcm:Event gcm:Document }
  ?thing a/rdfs:subClassOf* ?kind ;
    gcm:startDate ?start ;
    gcm:endDate ?end ;
    gcm:datePrecision ?precision .
  FILTER(?start <= "2017-12-31"^^xsd:date && ?end >= "2017-01-01"^^xsd:date)
}
ORDER BY ?start ?end ?thing
"""

# Every event and document of 2017, in order of start, then end, then IRI; (thing, start, end,
# precision) as the sources give them.
EXPECTED_2017 = [
    # Seed 004: "Date of Publication 2017" (the year only).
    ("document/genina-2017", "2017-01-01", "2017-12-31", "Year"),
    # Seed 000: seven regional civil-society consultations; the graph dates six to the year 2017
    # (public record fact 59: Phase I, April to November 2017, comprised them).
    ("event/africa-consultation-2017", "2017-01-01", "2017-12-31", "Year"),
    ("event/asia-consultation-2017", "2017-01-01", "2017-12-31", "Year"),
    ("event/europe-consultation-2017", "2017-01-01", "2017-12-31", "Year"),
    ("event/latin-america-and-the-caribbean-consultation-2017", "2017-01-01", "2017-12-31", "Year"),
    ("event/middle-east-and-north-africa-consultation-2017", "2017-01-01", "2017-12-31", "Year"),
    ("event/pacific-consultation-2017", "2017-01-01", "2017-12-31", "Year"),
    # Public record fact 52: A/71/728, 3 February 2017.
    ("document/a-71-728", "2017-02-03", "2017-02-03", "Day"),
    # Seed 001: consultations "between April and November 2017"; fact 59: five regional and several
    # national consultations.
    ("event/national-consultations-2017", "2017-04-01", "2017-11-30", "Month"),
    ("event/regional-consultations-2017", "2017-04-01", "2017-11-30", "Month"),
    # Seed 001: the process "started in April 2017"; it culminated in the conference of December
    # 2018 (seed 002, public record fact 12).
    ("event/gcm-process", "2017-04-01", "2018-12-31", "Month"),
    # Public record fact 57: A/RES/71/280 adopted on 6 April 2017.
    ("document/a-res-71-280", "2017-04-06", "2017-04-06", "Day"),
    ("event/modalities-adoption-2017", "2017-04-06", "2017-04-06", "Day"),
    # Seed 000 and public record fact 60: the six thematic sessions.
    ("event/thematic-session-1", "2017-05-08", "2017-05-09", "Day"),
    ("event/thematic-session-2", "2017-05-22", "2017-05-23", "Day"),
    ("event/thematic-session-3", "2017-06-19", "2017-06-20", "Day"),
    ("event/thematic-session-4", "2017-07-24", "2017-07-25", "Day"),
    # Seed 000: the U.S.-Canada consultation "in late September in 2017" (the month only).
    ("event/us-canada-consultation-2017", "2017-09-01", "2017-09-30", "Month"),
    ("event/thematic-session-5", "2017-09-04", "2017-09-05", "Day"),
    ("event/thematic-session-6", "2017-10-12", "2017-10-13", "Day"),
    # Public record fact 62: concept note of 20 November 2017; chair's summary written after the
    # meeting and transmitted on 22 December 2017 (dated to the month).
    ("document/stocktaking-concept-note-2017", "2017-11-20", "2017-11-20", "Day"),
    ("document/stocktaking-chairs-summary-2017", "2017-12-01", "2017-12-31", "Month"),
    # Public record fact 61: the U.S. withdrawal, 2 December 2017.
    ("event/us-withdrawal-2017", "2017-12-02", "2017-12-02", "Day"),
    # Seed 000 and public record fact 62: the stocktaking meeting, 4-6 December 2017.
    ("event/stocktaking-meeting-2017", "2017-12-04", "2017-12-06", "Day"),
    # Public record fact 63: A/72/643 dated 12 December 2017.
    ("document/a-72-643", "2017-12-12", "2017-12-12", "Day"),
    # Public record facts 62 and 65: the PGA letter of 22 December 2017.
    ("document/pga-letter-2017-12-22", "2017-12-22", "2017-12-22", "Day"),
    # Public record fact 8: A/RES/72/244 of 24 December 2017.
    ("document/a-res-72-244", "2017-12-24", "2017-12-24", "Day"),
    ("event/conference-modalities-adoption-2017", "2017-12-24", "2017-12-24", "Day"),
]


def test_what_happened_in_2017_in_order_with_the_one_when_pattern(bundled) -> None:
    rows = records(bundled.query(WHAT_HAPPENED_IN_2017))
    got = [
        (r["thing"].value.removeprefix(ID), r["start"].value, r["end"].value, r["precision"].value.removeprefix(GCM))
        for r in rows
    ]
    assert got == [(thing, start, end, precision + "Precision") for thing, start, end, precision in EXPECTED_2017]


def test_the_stored_query_for_a_year_gives_the_same_answer(bundled) -> None:
    rows = records(run(bundled, "events-in-year", year="2017"))
    assert [r["thing"].value.removeprefix(ID) for r in rows] == [thing for thing, *_ in EXPECTED_2017]


# ---------------------------------------------------------------------------------------------
# Facts that used to live only in comments, now asked for by stored or test queries


def test_the_imrf_has_held_one_forum_and_meets_every_four_years_next_due_in_2026(bundled) -> None:
    # Public record fact 40: the first IMRF, New York, 17-20 May 2022; fact 33 (GCM para. 49 (c)):
    # "every four years beginning in 2022"; fact 44 (V-1): "The next IMRF is due in 2026".
    meetings = records(run(bundled, "forum-meetings"))
    assert [(r["meeting"], r["ordinal"], r["start"], r["end"]) for r in meetings] == [
        (node("event", "imrf-2022"), integer(1), date("2022-05-17"), date("2022-05-20"))
    ]
    (imrf,) = [r for r in records(run(bundled, "forums")) if r["forum"] == node("mechanism", "imrf")]
    assert imrf["periodicity"] == ox.Literal("P4Y", datatype=ox.NamedNode(XSD + "duration"))
    assert imrf["next_due"].value == "2026"
    assert set(imrf["format"].value.split("; ")) == {  # fact 39
        "Four interactive multi-stakeholder round tables",
        "A policy debate",
        "A plenary",
        "An informal multi-stakeholder hearing on the preceding day",
    }


def test_the_2013_high_level_dialogue_was_a_meeting_of_the_dialogue_the_imrf_replaced(bundled) -> None:
    # Seed 004: a high-level meeting at the UN in October 2013; public record fact 31: the High-level
    # Dialogue "(held every fourth GA session) is repurposed and renamed" the IMRF.
    rows = records(run(bundled, "forum-meetings", forum="mechanism:high-level-dialogue"))
    assert [(r["meeting"], r["start"], r["end"], r["precision"]) for r in rows] == [
        (node("event", "hld-2013"), date("2013-10-01"), date("2013-10-31"), gcm("MonthPrecision"))
    ]


def test_the_international_dialogue_on_migration_is_iom_s_forum(bundled) -> None:
    # Seed 002: "The IOM International Dialogue on Migration (IDM) will be dedicated to supporting the
    # global compact on migration process."
    (idm,) = [r for r in records(run(bundled, "forums")) if r["forum"] == node("mechanism", "idm")]
    assert idm["forum_label"].value == "International Dialogue on Migration"
    assert idm["convened_by_label"].value == "International Organization for Migration"
    assert idm["source"].value == ID + "document/seed-iom-gcm"
    assert "meetings" not in idm and "periodicity" not in idm  # the seed gives neither


def test_the_united_states_did_not_take_part_in_marrakech_on_one_source(bundled) -> None:
    # Public record fact 19 (V-1): "The United States did not take part in the Marrakech conference";
    # fact 68: the final text was agreed by "all except the United States".
    rows = records(run(bundled, "non-participation"))
    assert [(r["event"], r["actor"]) for r in rows] == [
        (node("event", "final-text-agreement-2018"), node("state", "usa")),
        (node("event", "marrakech-conference-2018"), node("state", "usa")),
    ]
    marrakech = rows[1]
    assert marrakech["confidence"].value == "single source"
    assert marrakech["source"].value == ID + "document/reference-public-record"


def test_nationalities_are_those_the_public_record_gives(bundled) -> None:
    # Public record facts 50, 52 and 9: Louise Arbour (Canada), Peter Sutherland (Ireland), Karen
    # AbuZayd (United States), Izumi Nakamitsu (Japan), María Fernanda Espinosa Garcés (Ecuador).
    people = {r["person"]: r.get("nationality") for r in records(run(bundled, "people"))}
    assert {p: s for p, s in people.items() if s is not None} == {
        node("person", "louise-arbour"): node("state", "can"),
        node("person", "peter-sutherland"): node("state", "irl"),
        node("person", "karen-abuzayd"): node("state", "usa"),
        node("person", "izumi-nakamitsu"): node("state", "jpn"),
        node("person", "maria-fernanda-espinosa-garces"): node("state", "ecu"),
    }


SIGNED = """
PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>
SELECT ?document ?signed WHERE { ?document gcm:signed ?signed } ORDER BY ?document
"""


def test_the_compact_was_not_signed_and_the_host_country_agreement_was(bundled) -> None:
    # Public record L3: "The GCM was not signed: it was adopted at Marrakech on 10 December 2018 and
    # endorsed by the GA on 19 December 2018." Fact 18: the host-country agreement "was signed".
    rows = records(bundled.query(SIGNED))
    assert [(r["document"], r["signed"].value) for r in rows] == [
        (node("document", "gcm"), "false"),
        (node("document", "marrakech-host-country-agreement"), "true"),
    ]
