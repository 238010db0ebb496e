"""Every command, driven with an empty graph, a missing file, an unwritable output and a bad option:
the documented exit code, at most one line on stderr for a failure, never a traceback. And every
command takes the same format names, from the one table in gcmgraph.formats."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from gcmgraph.cli import main
from gcmgraph.formats import GRAPH, find

VALID = str(FIXTURES / "validate" / "valid.ttl")  # one document and one event: no state, vote or lineage
# Places nobody may write: /sys refuses even root; a folder that does not exist.
SYS = "/sys/gcmgraph-sweep.txt"


@pytest.fixture(scope="module")
def where(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("sweep")
    empty = folder / "prefix-only.ttl"
    empty.write_text("@prefix ex: <http://example.org/> .\n")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "empty": str(empty),
        "missing": str(folder / "missing.ttl"),
        "missing_rq": str(folder / "missing.rq"),
        "nowhere": str(folder / "no" / "such" / "folder" / "out.txt"),
        "site": str(folder / "site"),
        "endpoint": f"http://127.0.0.1:{port}/query",
    }


# (command, arguments, exit code, stderr): "{name}" is filled from `where`; a stderr ending in
# "(" or ": " is a prefix (the reason comes from the operating system or another component).
CASES = {
    # an empty graph: a data file with a prefix line only, and a small valid file without GCM facts
    "list-unknown-tag": (
        "list",
        ["--tag", "no-such-tag"],
        2,
        "Error: --tag no-such-tag: no stored query has this tag; ",
    ),
    "show-unknown": ("show", ["no-such-query"], 2, "Error: unknown query 'no-such-query' (run 'gcmgraph list'; "),
    "query-empty": ("query", ["timeline", "--data", "{empty}"], 0, ""),
    "query-empty-fail": ("query", ["timeline", "--data", "{empty}", "--fail-on-empty"], 1, "No results.\n"),
    "describe-empty": (
        "describe",
        ["Morocco", "--data", "{empty}"],
        2,
        "Error: no resource has the IRI, prefixed name or name 'Morocco'\n",
    ),
    "describe-valid": (
        "describe",
        ["state:mar", "--data", VALID],
        2,
        "Error: the graph says nothing about <https://w3id.org/gcmgraph/id/state/mar>\n",
    ),
    "validate-empty": ("validate", ["{empty}"], 0, ""),
    "export-empty": ("export", ["--only", "data", "--data", "{empty}"], 0, ""),
    "publish-empty": ("publish", ["{endpoint}", "--dry-run", "--data", "{empty}"], 2, "Error: "),
    "docs-valid": ("docs", ["--data", VALID, "-o", "{site}"], 0, None),
    "plot-timeline-valid": (
        "plot",
        ["timeline", "--data", VALID],
        2,
        "Error: the graph holds no events for the timeline\n",
    ),
    "plot-timeline-empty": (
        "plot",
        ["timeline", "--data", "{empty}"],
        2,
        "Error: the graph holds no events for the timeline\n",
    ),
    "plot-vote-map-valid": ("plot", ["vote-map", "--data", VALID], 2, "Error: the graph holds no such recorded vote\n"),
    "plot-lineage-valid": (
        "plot",
        ["lineage", "--data", VALID],
        2,
        "Error: the graph holds no lineage for this document\n",
    ),
    "plot-actor-network-valid": (
        "plot",
        ["actor-network", "--data", VALID],
        2,
        "Error: the graph holds no links between actors and events or documents\n",
    ),
    # a missing file
    "query-missing-data": (
        "query",
        ["timeline", "--data", "{missing}"],
        2,
        "Error: {missing}: no such file or folder\n",
    ),
    "query-missing-file": ("query", ["{missing_rq}"], 2, "Error: {missing_rq}: no such query file\n"),
    "describe-missing": (
        "describe",
        ["Morocco", "--data", "{missing}"],
        2,
        "Error: {missing}: no such file or folder\n",
    ),
    "validate-missing": ("validate", ["{missing}"], 2, "Error: {missing}: no such file or folder\n"),
    "validate-missing-accepted": (
        "validate",
        [VALID, "--accepted", "{missing}"],
        2,
        "Error: {missing}: no such accepted-findings file\n",
    ),
    "export-missing": ("export", ["--data", "{missing}"], 2, "Error: {missing}: no such file or folder\n"),
    "export-missing-frame": ("export", ["--frame", "{missing}"], 2, "Error: {missing}: no such file\n"),
    "publish-missing": (
        "publish",
        ["{endpoint}", "--dry-run", "--data", "{missing}"],
        2,
        "Error: {missing}: no such file or folder\n",
    ),
    "serve-missing": ("serve", ["--data", "{missing}"], 2, "Error: {missing}: no such file or folder\n"),
    "docs-missing": (
        "docs",
        ["--data", "{missing}", "-o", "{site}-2"],
        2,
        "Error: {missing}: no such file or folder\n",
    ),
    "plot-missing": ("plot", ["timeline", "--data", "{missing}"], 2, "Error: {missing}: no such file or folder\n"),
    # an unwritable output
    "list-unwritable": ("list", ["-o", SYS], 2, f"Error: {SYS}: cannot be written ("),
    "show-unwritable": ("show", ["timeline", "-o", SYS], 2, f"Error: {SYS}: cannot be written ("),
    "query-unwritable": ("query", ["timeline", "-o", SYS], 2, f"Error: {SYS}: cannot be written ("),
    "describe-unwritable": ("describe", ["state:mar", "-o", SYS], 2, f"Error: {SYS}: cannot be written ("),
    "validate-unwritable": ("validate", [VALID, "-o", SYS], 2, f"Error: {SYS}: cannot be written ("),
    "export-unwritable": ("export", ["-o", SYS], 2, f"Error: {SYS}: cannot be written ("),
    "docs-unwritable": ("docs", ["-o", "/sys/gcmgraph-site"], 2, "Error: /sys/gcmgraph-site: cannot be written ("),
    "plot-unwritable": (
        "plot",
        ["timeline", "-o", "/sys/timeline.svg"],
        2,
        "Error: /sys/timeline.svg: cannot be written (",
    ),
    "query-nowhere": ("query", ["timeline", "-o", "{nowhere}"], 2, "Error: {nowhere}: folder "),
    "export-nowhere": ("export", ["-o", "{nowhere}"], 2, "Error: {nowhere}: folder "),
    # bad options (serve only ever gets these: it would otherwise start a server)
    "serve-bad-bind": (
        "serve",
        ["--bind", "nonsense"],
        2,
        "Error: --bind 'nonsense': write HOST:PORT, e.g. 127.0.0.1:7878\n",
    ),
    "serve-bad-timeout": (
        "serve",
        ["--timeout", "0"],
        2,
        "Error: Invalid value for '--timeout': 0 is not in the range 1<=x<=3600.\n",
    ),
    "serve-bad-workers": (
        "serve",
        ["--workers", "0"],
        2,
        "Error: Invalid value for '--workers': 0 is not in the range 1<=x<=64.\n",
    ),
    "plot-unknown": (
        "plot",
        ["no-such-picture"],
        2,
        "Error: unknown picture 'no-such-picture' (known: timeline, vote-map, lineage, actor-network)\n",
    ),
    "cache-unknown": ("cache", ["nonsense"], 2, "Error: No such command 'nonsense'.\n"),
    "cache-bad-format": (
        "cache",
        ["info", "-f", "yaml"],
        2,
        "Error: --format yaml does not fit this listing; use one of table, json\n",
    ),
    "list-bad-format": (
        "list",
        ["-f", "yaml"],
        2,
        "Error: --format yaml does not fit the query catalogue; use one of table, json, openapi\n",
    ),
    "describe-bad-format": (
        "describe",
        ["state:mar", "-f", "csv"],
        2,
        "Error: --format csv does not fit this listing; use one of table, json\n",
    ),
    "query-bad-format": (
        "query",
        ["timeline", "-f", "turtle"],
        2,
        "Error: --format turtle does not fit a table (SELECT/ASK) "
        "result; use one of table, csv, tsv, json, xml, markdown\n",
    ),
    "validate-bad-format": (
        "validate",
        [VALID, "-f", "csv"],
        2,
        "Error: --format csv does not fit a validation report; use one of text, json, turtle, github, sarif, junit\n",
    ),
    "export-bad-format": (
        "export",
        ["-f", "csv"],
        2,
        "Error: --format csv does not fit a graph; use one of turtle, nt, nq, trig, xml, json-ld\n",
    ),
}


def test_the_sweep_covers_every_command() -> None:
    assert {command for command, *_ in CASES.values()} == set(main.commands)


@pytest.mark.parametrize("case", CASES)
def test_command_ends_with_its_exit_code_and_one_line_at_most(where: dict[str, str], case: str) -> None:
    command, arguments, code, stderr = CASES[case]
    result = CliRunner().invoke(main, [command, *(a.format(**where) for a in arguments)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    assert result.exit_code == code, result.stderr
    if stderr is None:  # docs on a graph without GCM facts: a site without pictures, and why
        assert result.stderr.splitlines()[:-1] == [
            "warning: picture timeline left out: the graph holds no events for the timeline",
            "warning: picture vote-map left out: the graph holds no such recorded vote",
            "warning: picture lineage left out: the graph holds no lineage for this document",
            "warning: picture actor-network left out: the graph holds no links between actors and events or documents",
        ]
        assert (Path(where["site"]) / "index.html").is_file()
        return
    expected = stderr.format(**where)
    if code:
        assert len(result.stderr.splitlines()) == 1, result.stderr
    if code == 2:
        assert result.stdout == ""
    if expected.endswith("\n") or not expected:
        assert result.stderr == expected
    else:
        assert result.stderr.startswith(expected), result.stderr


@pytest.mark.parametrize("command", sorted(main.commands))
def test_an_unknown_option_is_one_line(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--no-such-option"])
    assert result.exit_code == 2
    assert result.stderr == "Error: No such option '--no-such-option'.\n"


# One name per format, everywhere


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("turtle", "turtle"),
        ("ttl", "turtle"),
        ("json-ld", "json-ld"),
        ("jsonld", "json-ld"),
        ("nt", "nt"),
        ("ntriples", "nt"),
        ("xml", "xml"),
        ("rdfxml", "xml"),
        ("nq", "nq"),
        ("nquads", "nq"),
        ("trig", "trig"),
        ("TTL", "turtle"),
    ],
)
@pytest.mark.parametrize("command", ["export", "query"])
def test_graph_format_names_and_aliases_mean_the_same_in_every_command(command: str, name: str, fmt: str) -> None:
    arguments = ["--only", "ontology"] if command == "export" else ["describe-resource", "-p", "resource=state:mar"]
    result = CliRunner().invoke(main, [command, *arguments, "-f", name])
    assert result.exit_code == 0, result.stderr
    quads = list(ox.parse(result.stdout_bytes, format=find(GRAPH, fmt).rdf))
    assert quads


@pytest.mark.parametrize(
    ("command", "arguments", "file_name", "check"),
    [
        ("list", [], "catalogue.json", lambda text: any(q["name"] == "timeline" for q in json.loads(text))),
        ("describe", ["state:mar"], "morocco.json", lambda text: json.loads(text)["label"] == "Morocco"),
        ("query", ["timeline"], "timeline.md", lambda text: text.splitlines()[1].startswith("|---|")),
        ("validate", [VALID], "report.json", lambda text: json.loads(text)["conforms"] is True),
        ("export", ["--only", "ontology"], "ontology.jsonld", lambda text: "@context" in json.loads(text)),
        ("plot", ["timeline"], "timeline.svg", lambda text: text.startswith("<?xml") and "<svg" in text),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_output_extension_picks_the_format_in_every_command(
    tmp_path: Path, command: str, arguments: list[str], file_name: str, check
) -> None:
    target = tmp_path / file_name
    result = CliRunner().invoke(main, [command, *arguments, "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert check(target.read_text(encoding="utf-8"))
