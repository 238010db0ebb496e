"""The query catalogue reads both header forms (grlc's and gcmgraph's earlier one), and any SPARQL
file runs: a file without a header has the parameters its ``?_name`` variables name. Only the
stored catalogue requires a header, which ``gcmgraph list`` says."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from gcmgraph.cli import main
from gcmgraph.errors import QueryFileError, QueryParameterError
from gcmgraph.lexical import XSD
from gcmgraph.queries import bind, catalogue, find_query

FOREIGN = FIXTURES / "queries" / "foreign"
PLACE = "https://w3id.org/gcmgraph/id/place/"
EVENT = "https://w3id.org/gcmgraph/id/event/"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def user_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"


# -- any SPARQL file runs ------------------------------------------------------------------------


def test_a_w3c_test_suite_query_without_header_gives_the_w3c_answer() -> None:
    result = run("query", str(FOREIGN / "agg-sum-01.rq"), "--data", str(FOREIGN / "agg-numeric.ttl"), "-f", "json")
    assert result.exit_code == 0, result.stderr
    expected = ox.parse_query_results(path=FOREIGN / "agg-sum-01.srx", format=ox.QueryResultsFormat.XML)
    (row,) = json.loads(result.stdout)["results"]["bindings"]
    (want,) = list(expected)
    assert ox.Literal(row["sum"]["value"], datatype=ox.NamedNode(row["sum"]["datatype"])) == want["sum"]
    assert want["sum"] == ox.Literal("11.1", datatype=ox.NamedNode(XSD + "decimal"))  # the .srx says 11.1


def test_a_wikidata_style_query_finds_the_thematic_sessions_held_in_geneva() -> None:
    result = run("query", str(FOREIGN / "thematic-sessions-in-geneva.rq"), "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    # Public record fact 60: TS1 Geneva 8-9 May 2017, TS3 Geneva 19-20 June 2017, TS6 Geneva 12-13 October 2017.
    assert [(r["session"]["value"], r["start"]["value"]) for r in rows] == [
        (EVENT + "thematic-session-1", "2017-05-08"),
        (EVENT + "thematic-session-3", "2017-06-19"),
        (EVENT + "thematic-session-6", "2017-10-12"),
    ]
    assert [r["sessionLabel"]["value"].split(":")[0] for r in rows] == [
        "Thematic Session 1",
        "Thematic Session 3",
        "Thematic Session 6",
    ]


def test_a_file_without_header_is_documented_from_its_variable_names() -> None:
    query = find_query(str(FOREIGN / "thematic-sessions-in-geneva.rq"))
    assert not query.has_header
    assert query.summary == "Thematic sessions held in Geneva"  # its first comment line, as Wikidata's examples
    assert query.parameters == ()


def test_parameters_of_a_file_without_header_come_from_its_variables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "in-city.rq",
        "PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>\n"
        "SELECT ?event WHERE { ?event a gcm:ThematicSession ; gcm:location ?_city_iri } ORDER BY ?event\n",
    )
    shown = run("show", str(path))
    assert shown.exit_code == 0, shown.stderr
    assert "parameter: city=<IRI> (required)" in shown.stdout.splitlines()
    user_error(run("query", str(path)), "query 'in-city', parameter 'city': missing; expected: city=<IRI> (required)")
    result = run("query", str(path), "-p", "city=place:vienna", "-f", "json")
    assert result.exit_code == 0, result.stderr
    # Public record fact 60: TS5 Vienna 4-5 September 2017, the only thematic session in Vienna.
    assert [r["event"]["value"] for r in json.loads(result.stdout)["results"]["bindings"]] == [
        EVENT + "thematic-session-5"
    ]


def test_a_file_with_a_header_but_no_summary_runs() -> None:
    query = find_query(str(FIXTURES / "queries" / "no-summary.rq"))
    assert query.description == "this header has no summary"
    assert query.summary == ""


def test_the_stored_catalogue_requires_a_summary(tmp_path: Path) -> None:
    write(tmp_path, "fine.rq", "#+ summary: fine\nSELECT ?s WHERE { ?s ?p ?o }\n")
    write(tmp_path, "plain.rq", "SELECT ?s WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryFileError, match=r"plain\.rq:1: no '#\+ summary: \.\.\.' header$"):
        catalogue(tmp_path)
    with pytest.raises(QueryFileError, match=r"plain\.rq:1: no '#\+ summary: \.\.\.' header$"):
        find_query("plain", tmp_path)
    assert find_query(str(tmp_path / "plain.rq")).form == "SELECT"  # as a file, it runs


def test_list_says_the_catalogue_needs_a_header_and_any_file_runs() -> None:
    help_text = " ".join(run("list", "--help").stdout.split())
    assert "Every stored query starts with a '#+ summary: ...' header" in help_text
    assert "gcmgraph query FILE.rq runs any SPARQL file, header or not" in help_text
    query_help = " ".join(run("query", "--help").stdout.split())
    assert "A file needs no header" in query_help


# -- header forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "defaults",
    [
        "#+ defaults:\n#+   - city: https://w3id.org/gcmgraph/id/place/vienna\n",  # grlc: list, full IRI
        "#+ defaults:\n#+   city: place:vienna\n",  # gcmgraph before: mapping, prefixed name
    ],
    ids=["grlc-list", "earlier-mapping"],
)
def test_both_forms_of_defaults_bind_the_same_term(tmp_path: Path, defaults: str) -> None:
    path = write(tmp_path, "q.rq", f"#+ summary: s\n{defaults}SELECT ?_city_iri WHERE {{ }}\n")
    (row,) = ox.Store().query(bind(find_query(str(path)), {}))
    assert row["_city_iri"] == ox.NamedNode(PLACE + "vienna")


def test_enumerate_takes_grlc_lists_and_bare_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "q.rq",
        "#+ summary: s\n#+ enumerate:\n#+   - year:\n#+     - '2017'\n#+     - '2018'\n#+   - city\n"
        "SELECT ?_year_integer ?_city_iri WHERE { }\n",
    )
    query = find_query(str(path))
    year, city = query.parameters
    assert year.allowed == ("2017", "2018")
    assert city.allowed == ()  # grlc fills a bare name's list from the endpoint; gcmgraph does not restrict it
    with pytest.raises(QueryParameterError, match="'2016' is not one of 2017, 2018"):
        bind(query, {"year": ["2016"], "city": ["place:vienna"]})


def test_yaml_keeps_values_as_written(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "q.rq",
        "#+ summary: s\n#+ defaults:\n#+   - code: 012\n#+   - answer: yes\nSELECT ?_code ?_answer {}\n",
    )
    code, answer = find_query(str(path)).parameters
    assert (code.default, answer.default) == (("012",), ("yes",))  # not 10 and True


def test_number_parameters_take_sparql_numbers(tmp_path: Path) -> None:
    query = find_query(str(write(tmp_path, "q.rq", "SELECT ?_size_number WHERE { }\n")))
    for value, datatype in (("42", "integer"), ("-4.2", "decimal"), ("4.2e1", "double")):
        (row,) = ox.Store().query(bind(query, {"size": [value]}))
        got = row["_size_number"]
        assert got.datatype == ox.NamedNode(XSD + datatype)
        assert float(got.value) == float(value)  # Oxigraph writes the double 4.2e1 as 42
    with pytest.raises(QueryParameterError, match=r"'4,2' is not a number \(write e.g. 42, 4.2 or 4.2e1\)"):
        bind(query, {"size": ["4,2"]})


def test_key_names_the_result_variables_that_identify_a_row(tmp_path: Path) -> None:
    good = write(
        tmp_path, "good.rq", "#+ summary: s\n#+ key: [event]\nSELECT ?event (COUNT(?x) AS ?n) { } GROUP BY ?event\n"
    )
    assert find_query(str(good)).key == ("event",)
    bad = write(tmp_path, "bad.rq", "#+ summary: s\n#+ key: [evnt]\nSELECT ?event { }\n")
    user_error(run("show", str(bad)), f"{bad}: header 'key' names evnt, which the query does not return")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ grlc: true\n", "header 'grlc' can only be 'false' (grlc cannot serve this query)"),
        ("#+ tags: {a: b}\n", "header 'tags' must be a list of words"),
        ("#+ defaults: city\n", "header 'defaults' must be a list of '- name: value'"),
        ("#+ defaults:\n#+   - town: x\n", "header 'defaults' names unknown parameter(s) town"),
    ],
    ids=["grlc-true", "tags-mapping", "defaults-text", "defaults-unknown"],
)
def test_malformed_header_values_are_one_line_errors(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, "q.rq", f"#+ summary: s\n{header}SELECT ?_city_iri WHERE {{ }}\n")
    user_error(run("show", str(path)), f"{path}: {message}")


def test_one_parameter_written_two_ways_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "q.rq", "SELECT ?_city_iri ?__city WHERE { }\n")
    user_error(run("show", str(path)), f"{path}: parameter 'city' is written both ?_city_iri and ?__city")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "#+ summary: s\nSELECT * { }\n#+ tags: [a]\n",
            3,
            "'#+' header line after the SPARQL text; move it to the top",
        ),
        ("#+ summary: s\n  #+ tags: [a]\nSELECT * { }\n", 2, "header lines start with '#+' in the first column"),
    ],
    ids=["late", "indented"],
)
def test_header_lines_grlc_would_read_differently_are_errors(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, "q.rq", text)
    user_error(run("show", str(path)), f"{path}:{line}: {message}")


def test_comment_lines_may_sit_between_header_lines_as_in_grlc(tmp_path: Path) -> None:
    path = write(tmp_path, "q.rq", "#+ summary: s\n\n# a note\n#+ tags:\n#+   - events\nSELECT * { }\n")
    assert find_query(str(path)).tags == ("events",)


def test_usage_shows_iris_as_the_prefixed_names_p_accepts() -> None:
    # forum-meetings defaults to the International Migration Review Forum (its header).
    (forum,) = find_query("forum-meetings").parameters
    assert forum.default == ("https://w3id.org/gcmgraph/id/mechanism/imrf",)
    assert forum.usage() == "forum=<IRI> (optional; default mechanism:imrf; e.g. mechanism:imrf)"
