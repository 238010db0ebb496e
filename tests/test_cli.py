"""The command line: one-line errors with exit code 2, and every output format parsed back."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, typed_query

from gcmgraph.cli import main

Q = FIXTURES / "queries"
TYPED = str(Q / "typed-params.rq")
TYPED_ARGS = ["-p", "thing=state:che", "-p", "count=5", "-p", "day=2018-12-10", "-p", "name=Zürich"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_user_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad-yaml",
            "tests/fixtures/queries/bad-yaml.rq:2: header is not valid YAML (expected ',' or ']', but got '<stream end>')",
        ),
        (
            "unknown-key",
            "tests/fixtures/queries/unknown-key.rq: unknown header key(s) defualts; known: defaults, description, "
            "endpoint, endpoint-method, endpoint_in_url, enumerate, examples, grlc, key, method, mime, pagination, summary, "
            "tags, transform",
        ),
        (
            "syntax-error",
            "tests/fixtures/queries/syntax-error.rq:5:1: SPARQL syntax error: expected one of CEIL, IF, LANG, "
            "RAND, SHA1, TZ, UUID, YEAR, [_]",
        ),
        ("update", "tests/fixtures/queries/update.rq: SPARQL Update is refused; gcmgraph only reads data"),
        (
            "service",
            "tests/fixtures/queries/service.rq:2: SERVICE <http://127.0.0.1:9/sparql> reaches outside the loaded "
            "data; pass --allow-outside to permit it",
        ),
        (
            "from-file",
            "tests/fixtures/queries/from-file.rq:2: FROM <file:///etc/passwd> is not a loaded graph; the loaded "
            "graphs are "
            + " ".join(
                f"<https://w3id.org/gcmgraph/graph/{name}>"
                for name in (
                    "data/claims",
                    "data/documents",
                    "data/events",
                    "data/mechanisms",
                    "data/organizations",
                    "data/participations",
                    "data/people",
                    "data/phases",
                    "data/places",
                    "data/provisions",
                    "data/regions",
                    "data/roles",
                    "data/sources",
                    "data/states",
                    "data/votes",
                    "ontology/gcm",
                )
            ),
        ),
    ],
)
def test_bad_query_file_is_one_line_error(name: str, message: str) -> None:
    assert_user_error(run("query", f"tests/fixtures/queries/{name}.rq"), message)


def test_runaway_query_stops_at_the_timeout() -> None:
    result = run("query", "tests/fixtures/queries/slow-join.rq", "--timeout", "0.5")
    assert_user_error(result, "tests/fixtures/queries/slow-join.rq: stopped after 0.5 s (raise it with --timeout)")


def test_unknown_query_exits_2() -> None:
    result = run("query", "no-such-query")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown query 'no-such-query' (run 'gcmgraph list'; known: ")
    assert result.stderr.count("\n") == 1


def test_missing_data_file_exits_2() -> None:
    assert_user_error(run("query", TYPED, *TYPED_ARGS, "--data", "nope.ttl"), "nope.ttl: no such file or folder")


def test_malformed_data_file_names_file_and_line() -> None:
    result = run("query", TYPED, *TYPED_ARGS, "--data", "tests/fixtures/bad/missing-dot.ttl")
    assert_user_error(result, "tests/fixtures/bad/missing-dot.ttl:4:1: A dot is expected at the end of statements")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "count=abc"], "query 'typed-params', parameter 'count': 'abc' is not an xsd:integer"),
        (
            ["-p", "day=2018-13-01"],
            "query 'typed-params', parameter 'day': '2018-13-01' is not an xsd:date (write e.g. 2018-12-10)",
        ),
        (
            ["-p", "thing=not an iri"],
            "query 'typed-params', parameter 'thing': 'not an iri' is not an IRI or a known prefixed name (e.g. state:che)",
        ),
        (
            ["-p", "thing=<http://e.org/a>b>"],
            "query 'typed-params', parameter 'thing': '<http://e.org/a>b>' is not a valid IRI",
        ),
        (
            ["-p", "colour=red"],
            "query 'typed-params', parameter 'colour': unknown parameter; expected: thing=<IRI> (required); "
            "count=<xsd:integer> (required); day=<xsd:date> (required); name=<text@en> (required); note=<text> (optional; "
            "default default note; e.g. default note); flag=<xsd:boolean> (optional)",
        ),
        (["-p", "name=x", "-p", "name=x"], "query 'typed-params', parameter 'name': value 'x' given twice"),
        (["-p", "nameless"], "--param 'nameless': write NAME=VALUE"),
    ],
    ids=["integer", "date", "iri", "iri-with-bracket", "unknown", "duplicate", "no-equals"],
)
def test_bad_parameter_names_the_parameter(args: list[str], message: str) -> None:
    given = {a.split("=")[0] for a in args if "=" in a}
    valid = {"thing": "state:che", "count": "5", "day": "2018-12-10", "name": "n"}
    base = [x for name, value in valid.items() if name not in given for x in ("-p", f"{name}={value}")]
    assert_user_error(run("query", TYPED, *base, *args), message)


def test_missing_required_parameter_lists_what_is_expected() -> None:
    result = run("query", TYPED, "-p", "thing=state:che")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: query 'typed-params', parameter 'count': missing; expected: thing=<IRI> (required)"
    )


def test_every_parameter_type_is_bound_as_a_term() -> None:
    result = run("query", TYPED, *TYPED_ARGS, "-p", "flag=true", "-p", "flag=false", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert len(rows) == 2  # the list value for flag gives one row per value
    first = rows[0]
    assert first["_thing_iri"] == {"type": "uri", "value": "https://w3id.org/gcmgraph/id/state/che"}
    assert first["_count_integer"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert first["_day_xsd_date"] == {
        "type": "literal",
        "value": "2018-12-10",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
    }
    assert first["_name_en"] == {"type": "literal", "value": "Zürich", "xml:lang": "en"}
    assert first["__note"]["value"] == "default note"
    assert sorted(r["__flag_boolean"]["value"] for r in rows) == ["false", "true"]


def test_hostile_value_comes_back_exactly() -> None:
    hostile = "a\"b'c}{#<>\\u0022 \n DELETE WHERE { ?s ?p ?o } 😀"
    result = run(*typed_query(hostile), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]["bindings"][0]["_name_en"]["value"] == hostile


def test_csv_output_parses_and_is_formula_safe() -> None:
    result = run("query", TYPED, *TYPED_ARGS[:-2], "-p", 'name==HYPERLINK("x")', "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["_thing_iri"] == "https://w3id.org/gcmgraph/id/state/che"
    assert rows[0]["_name_en"] == '\'=HYPERLINK("x")'
    assert rows[0]["_count_integer"] == "5"


def test_table_output_shows_control_characters_as_escapes() -> None:
    result = run("query", TYPED, *TYPED_ARGS[:-2], "-p", "name=\x1b[31mred")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\\u001b[31mred" in result.stdout


@pytest.mark.parametrize("fmt", ["tsv", "xml", "json"])
def test_standard_result_formats_parse_back(fmt: str) -> None:
    result = run("query", TYPED, *TYPED_ARGS, "-f", fmt)
    assert result.exit_code == 0, result.stderr
    parsed = list(ox.parse_query_results(result.stdout_bytes, format=getattr(ox.QueryResultsFormat, fmt.upper())))
    assert parsed[0]["_name_en"] == ox.Literal("Zürich", language="en")
    assert parsed[0]["_day_xsd_date"] == ox.Literal(
        "2018-12-10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    )


def test_markdown_output_is_a_table() -> None:
    result = run("query", TYPED, *TYPED_ARGS, "-f", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| _thing_iri | _count_integer |")
    assert lines[1].startswith("|---|")
    assert "| state:che | 5 | 2018-12-10 | Zürich |" in lines[2]


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("json-ld", "json-ld"), ("nt", "nt")])
def test_graph_formats_parse_back(fmt: str, rdflib_format: str) -> None:
    result = run("query", str(Q / "switzerland-labels.rq"), "-f", fmt)
    assert result.exit_code == 0, result.stderr
    graph = rdflib.Graph().parse(data=result.stdout, format=rdflib_format)
    che = rdflib.URIRef("https://w3id.org/gcmgraph/id/state/che")
    labels = {(str(o), o.language) for o in graph.objects(che, rdflib.RDFS.label)}
    assert ("Switzerland", "en") in labels
    assert ("Suisse", "fr") in labels


def test_graph_result_refuses_a_table_format() -> None:
    result = run("query", str(Q / "switzerland-labels.rq"), "-f", "csv")
    assert_user_error(
        result,
        "--format csv does not fit a graph (CONSTRUCT/DESCRIBE) result; use one of turtle, nt, nq, trig, xml, json-ld",
    )


def test_output_extension_picks_the_format(tmp_path: Path) -> None:
    target = tmp_path / "answer.csv"
    result = run("query", TYPED, *TYPED_ARGS, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert next(csv.DictReader(target.open()))["_name_en"] == "Zürich"
    assert not list(tmp_path.glob(".*.tmp"))


def test_output_never_overwrites_an_input() -> None:
    before = (Q / "typed-params.rq").read_bytes()
    result = run("query", TYPED, *TYPED_ARGS, "-o", TYPED, "-f", "json")
    assert_user_error(result, f"{TYPED}: is one of the command's inputs; choose another output file")
    assert (Q / "typed-params.rq").read_bytes() == before


def test_unknown_format_is_refused() -> None:
    assert_user_error(
        run("query", TYPED, *TYPED_ARGS, "-f", "yaml"),
        "--format yaml does not fit a table (SELECT/ASK) result; use one of table, csv, tsv, json, xml, markdown",
    )


def test_python_dash_m_behaves_like_the_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "gcmgraph", "query", TYPED, *TYPED_ARGS, "-f", "csv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == run("query", TYPED, *TYPED_ARGS, "-f", "csv").stdout


def test_describe_by_label_shows_facts_sources_and_links() -> None:
    result = run("describe", "Louise Arbour")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Louise Arbour  <https://w3id.org/gcmgraph/id/person/louise-arbour>"
    assert any(line.split()[:2] == ["source", "document:seed-nnirr-gcm"] for line in lines)
    assert any("role:louise-arbour-srsg" in line and line.rstrip().endswith("holder") for line in lines)


def test_describe_by_prefixed_name_as_json() -> None:
    result = run("describe", "state:che", "-f", "json")
    payload = json.loads(result.stdout)
    assert payload["iri"] == "https://w3id.org/gcmgraph/id/state/che"
    labels = {f["value"] for f in payload["facts"] if f["property"].endswith("#label")}
    assert {"Switzerland", "Suisse", "Suiza"} <= labels


def test_describe_unknown_or_ambiguous_name_is_one_line_error(tmp_path: Path) -> None:
    assert_user_error(
        run("describe", "Nobody At All"), "no resource has the IRI, prefixed name or name 'Nobody At All'"
    )
    twins = tmp_path / "twins.ttl"
    twins.write_text(
        '<https://e.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "Twin"@en .\n'
        '<https://e.org/b> <http://www.w3.org/2000/01/rdf-schema#label> "Twin"@en .\n'
    )
    assert_user_error(
        run("describe", "twin", "--data", str(twins)),
        "'twin' names 2 resources: https://e.org/a (Twin), https://e.org/b (Twin); give one of these",
    )


def test_list_shows_parameters_and_filters_by_tag() -> None:
    result = run("list", "-f", "json")
    catalogue = {q["name"]: q for q in json.loads(result.stdout)}
    assert len(catalogue) >= 25
    city = catalogue["events-in-city"]["parameters"][0]
    assert (city["name"], city["type"], city["required"], city["example"]) == ("city", "IRI", True, "place:vienna")
    tagged = run("list", "--tag", "votes").stdout
    assert "vote-tallies" in tagged and "thematic-sessions" not in tagged


def test_show_prints_documentation_and_text() -> None:
    result = run("show", "events-in-city")
    assert result.exit_code == 0
    assert result.stdout.startswith("events-in-city: ")
    assert "file: queries/events-in-city.rq" in result.stdout
    assert "parameter: city=<IRI> (required; e.g. place:vienna)" in result.stdout
    assert "?_city_iri" in result.stdout


def test_unknown_command_option_is_one_line_error() -> None:
    result = run("query", "thematic-sessions", "--colour")
    assert result.exit_code == 2
    assert result.stderr == "Error: No such option '--colour'.\n"


def test_query_command_does_not_import_pyshacl_owlrl_or_rdflib() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['gcmgraph', 'query', 'thematic-sessions', '-f', 'json']\n"
        "from gcmgraph.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pyshacl', 'owlrl', 'rdflib') if m in sys.modules), file=sys.stderr)\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False)
    assert completed.stderr.strip().splitlines()[-1] == "[]"


def test_describe_malformed_iri_is_one_line_error() -> None:
    assert_user_error(run("describe", "<a b>"), "'<a b>' is not a valid IRI (Invalid IRI code point ' ')")
