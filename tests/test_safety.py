"""gcmgraph reaches nothing outside the loaded data unless the user opts in, and loses nothing.

A real HTTP server on 127.0.0.1 counts the requests it receives: each test shows that the
protection is what stops the request (with the opt-in flag, the same query does reach it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, typed_query

from gcmgraph.cli import main

RESULT = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://x/y"}}]}})


class Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def _answer(self) -> None:
        Recorder.requests.append(self.path)
        body = RESULT.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_service_clause_is_refused_and_sends_nothing(server: str, tmp_path: Path) -> None:
    query = write(
        tmp_path, "remote.rq", f"#+ summary: remote\nSELECT ?s WHERE {{ SERVICE <{server}/sparql> {{ ?s ?p ?o }} }}\n"
    )
    refused = run("query", query)
    assert refused.exit_code == 2
    assert "SERVICE" in refused.stderr and "--allow-outside" in refused.stderr
    assert Recorder.requests == []
    allowed = run("query", query, "--allow-outside", "-f", "json")
    assert allowed.exit_code == 0, allowed.stderr
    assert Recorder.requests, "with the opt-in the engine does call the endpoint"


# Forms where a simple tokenizer and the engine disagree on where a string, an IRI or a name ends;
# pyoxigraph follows SERVICE in each of them if it is handed the text as written.
HIDDEN_SERVICE = [
    "PREFIX ex: <http://e.org/> SELECT * WHERE {{ BIND(ex:a\\' AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} FILTER(?o != \"'\") }}",
    "SELECT * WHERE {{ BIND(1<'x>' AS ?w) SERVICE <{url}> {{ ?s ?p ?o }} FILTER(?o != 'y') }}",
    "PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("text", HIDDEN_SERVICE, ids=["escaped-quote-in-name", "comparison-like-iri", "service-colon"])
def test_service_hidden_from_the_tokenizer_is_refused_and_sends_nothing(server: str, tmp_path: Path, text: str) -> None:
    query = write(tmp_path, "hidden.rq", text.format(url=f"{server}/sparql") + "\n")
    refused = run("query", query)
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert Recorder.requests == []


def test_service_inside_strings_and_iris_keeps_its_value(tmp_path: Path) -> None:
    data = write(tmp_path, "d.ttl", '<https://e.org/service> <https://e.org/p> "self-service" .\n')
    query = write(
        tmp_path,
        "q.rq",
        'SELECT ?o WHERE { <https://e.org/service> <https://e.org/p> ?o FILTER(?o = "self-service") }\n',
    )
    result = run("query", query, "--data", data, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["o", "self-service"]


def test_from_outside_the_loaded_data_is_refused_but_a_loaded_graph_is_allowed(server: str, tmp_path: Path) -> None:
    outside = write(
        tmp_path, "from.rq", f"#+ summary: from\nSELECT ?s FROM <{server}/data.ttl> WHERE {{ ?s ?p ?o }} ORDER BY ?s\n"
    )
    assert run("query", outside).exit_code == 2
    inside = write(
        tmp_path,
        "inside.rq",
        "#+ summary: one file\nSELECT (COUNT(*) AS ?n) FROM <https://w3id.org/gcmgraph/graph/data/states> WHERE { ?s ?p ?o }\n",
    )
    result = run("query", inside, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"]) > 193
    assert Recorder.requests == []


def test_load_and_other_updates_are_refused(tmp_path: Path) -> None:
    for text in ("LOAD <file:///etc/passwd>", "INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }", "CLEAR ALL"):
        query = write(tmp_path, "update.rq", f"#+ summary: update\n{text}\n")
        result = run("query", query)
        assert result.exit_code == 2
        assert "SPARQL Update is refused" in result.stderr


def test_owl_imports_in_data_is_never_followed(server: str, tmp_path: Path) -> None:
    data = write(
        tmp_path,
        "imports.ttl",
        f"<https://w3id.org/gcmgraph/id/document/x> <http://www.w3.org/2002/07/owl#imports> <{server}/ontology.ttl> .\n",
    )
    count = write(tmp_path, "count.rq", "#+ summary: count\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    assert run("query", count, "--data", data, "--inferred").exit_code == 0
    run("validate", data, "--inference", "owlrl")
    assert Recorder.requests == []


def test_result_limit_stops_a_large_answer(tmp_path: Path) -> None:
    query = write(tmp_path, "all.rq", "#+ summary: all\nSELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o\n")
    result = run("query", query, "--max-rows", "10")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {query}: more than 10 rows (raise it with --max-rows)\n"


def test_failed_command_leaves_no_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = run("query", str(FIXTURES / "queries" / "typed-params.rq"), "-p", "count=abc", "-o", str(target))
    assert result.exit_code == 2
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_replaced_whole_not_appended(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old content that must disappear")
    assert run(*typed_query("x"), "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["head"]["vars"][0] == "_thing_iri"


def test_no_command_writes_into_the_bundled_folders() -> None:
    from gcmgraph.paths import bundled_root

    target = bundled_root() / "data" / "claims.ttl"
    before = target.read_bytes()
    result = run("validate", "tests/fixtures/validate/valid.ttl", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.endswith("is inside the bundled data/ folder; choose another output file\n")
    assert target.read_bytes() == before


def test_file_names_with_spaces_and_twin_names_load_as_separate_graphs(tmp_path: Path) -> None:
    from gcmgraph.loader import resolve_sources

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "my data.ttl").write_text('<https://e.org/x> <https://e.org/p> "1" .\n')
    sources = resolve_sources([tmp_path / "a" / "my data.ttl", tmp_path / "b" / "my data.ttl"])
    names = [s.graph for s in sources[1:]]
    assert len(set(names)) == 2 and all(n.endswith("/my%20data") for n in names)
