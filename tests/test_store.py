"""The store: built once per set of source contents and reused, rebuilt when a source changes,
never used half-built, safe with two cold builds at once; every RDF syntax read the same way;
FROM and FROM NAMED mean what SPARQL says, locally and on a real Oxigraph server."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import ROOT
from rdflib.compare import isomorphic
from servers import oxigraph_server

from gcmgraph.bridge import graph_of
from gcmgraph.cli import main
from gcmgraph.loader import iter_quads, read_source, resolve_sources
from gcmgraph.store import open_graph

G = "https://w3id.org/gcmgraph/graph/"
PREFIX = "PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>\n"
# data/states.ttl types the 193 UN Member States as gcm:State (and no other file does);
# data/events.ttl types the six thematic sessions of 2017 as gcm:ThematicSession.
STATES, SESSIONS = 193, 6


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GCMGRAPH_CACHE_DIR", str(folder))
    return folder


def entries(cache: Path) -> list[str]:
    stores = cache / "stores"
    return sorted(p.name for p in stores.iterdir()) if stores.is_dir() else []


def number(graph, text: str) -> int:
    return int(graph.query(PREFIX + text).rows[0][0].value)


def copy_data(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(ROOT / "data" / name, folder / name)
    return folder


# -- built once, reused, rebuilt ---------------------------------------------------------------


def test_store_is_reused_when_no_source_changes(cache_dir: Path, tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data", "states.ttl", "events.ttl")
    first = open_graph([data])
    assert number(first, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gcm:State }") == STATES
    [key] = entries(cache_dir)
    manifest = (cache_dir / "stores" / key / "MANIFEST").stat()
    second = open_graph([data])
    assert entries(cache_dir) == [key]
    assert (cache_dir / "stores" / key / "MANIFEST").stat().st_ino == manifest.st_ino  # not rebuilt
    assert second.location == first.location
    assert number(second, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gcm:ThematicSession }") == SESSIONS
    assert first.warnings == second.warnings == []


@pytest.mark.parametrize("changed", ["states.ttl", "events.ttl"])
def test_store_is_rebuilt_when_any_source_changes(cache_dir: Path, tmp_path: Path, changed: str) -> None:
    data = copy_data(tmp_path / "data", "states.ttl", "events.ttl")
    open_graph([data])
    before = entries(cache_dir)
    with (data / changed).open("a") as out:
        out.write("\n<https://w3id.org/gcmgraph/id/state/zzz> a <https://w3id.org/gcmgraph/ontology#State> .\n")
    graph = open_graph([data])
    assert len(entries(cache_dir)) == 2 and before[0] in entries(cache_dir)
    assert number(graph, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gcm:State }") == STATES + 1


def _scaled(folder: Path, copies: int) -> Path:
    """``copies`` renamed copies of data/events.ttl (so IRIs do not merge): a build that takes a while."""
    folder.mkdir()
    text = (ROOT / "data" / "events.ttl").read_text()
    for n in range(copies):
        (folder / f"events-{n}.ttl").write_text(text.replace("/id/", f"/id/copy{n}/"))
    return folder


SESSIONS_QUERY = PREFIX + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gcm:ThematicSession }\n"


def test_interrupted_build_is_never_used_and_its_leftovers_are_removed(cache_dir: Path, tmp_path: Path) -> None:
    data = _scaled(tmp_path / "data", 60)
    script = f"from gcmgraph.store import open_graph; open_graph([{str(data)!r}])"
    process = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "GCMGRAPH_CACHE_DIR": str(cache_dir)})
    deadline = time.monotonic() + 120
    building = cache_dir / "building"
    while time.monotonic() < deadline and process.poll() is None:
        if building.is_dir() and any(p.is_file() for p in building.rglob("*")):
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the build finished before it could be interrupted"
    assert entries(cache_dir) == []  # nothing half-built was published
    assert any(building.iterdir())  # what the killed process left behind
    graph = open_graph([data])
    assert number(graph, SESSIONS_QUERY.removeprefix(PREFIX)) == SESSIONS * 60
    assert not any(building.iterdir())  # removed by the next build
    assert len(entries(cache_dir)) == 1


def test_two_commands_on_a_cold_cache_both_answer(cache_dir: Path, tmp_path: Path) -> None:
    data = _scaled(tmp_path / "data", 20)
    query = tmp_path / "sessions.rq"
    query.write_text("#+ summary: thematic sessions\n" + SESSIONS_QUERY)
    command = [sys.executable, "-m", "gcmgraph", "query", str(query), "--data", str(data), "-f", "json"]
    env = {**os.environ, "GCMGRAPH_CACHE_DIR": str(cache_dir)}
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert err == b""
        assert json.loads(out)["results"]["bindings"][0]["n"]["value"] == str(SESSIONS * 20)
    assert len(entries(cache_dir)) == 1
    assert not any((cache_dir / "building").iterdir())


def test_without_the_cache_the_store_is_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMGRAPH_CACHE", "0")
    monkeypatch.setenv("GCMGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    graph = open_graph([copy_data(tmp_path / "data", "events.ttl")])
    assert graph.location is None
    assert number(graph, SESSIONS_QUERY.removeprefix(PREFIX)) == SESSIONS
    assert not (tmp_path / "cache").exists()


# -- every RDF syntax in -----------------------------------------------------------------------

SYNTAXES = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ttl.gz": ox.RdfFormat.TURTLE,
    "nt.gz": ox.RdfFormat.N_TRIPLES,
}


def _bundled_quads() -> list[ox.Quad]:
    return [q for source in resolve_sources() for q in iter_quads(source)]


@pytest.mark.parametrize("extension", sorted(SYNTAXES))
def test_every_input_syntax_reads_the_bundled_graph_as_the_turtle_does(
    cache_dir: Path, tmp_path: Path, extension: str
) -> None:
    turtle = _bundled_quads()
    rdf_format = SYNTAXES[extension]
    # Dataset syntaxes keep each source file's named graph; the others hold the triples.
    written = turtle if rdf_format.supports_datasets else [ox.Triple(q.subject, q.predicate, q.object) for q in turtle]
    payload = ox.serialize(written, format=rdf_format)
    path = tmp_path / f"bundle.{extension}"
    path.write_bytes(gzip.compress(payload) if extension.endswith(".gz") else payload)
    read = list(iter_quads(read_source(path)))
    assert isomorphic(graph_of(read), graph_of(turtle))
    graph = open_graph([path])  # and through the store, against the bundled graph's store
    source = read_source(path)
    in_store = [q for q in graph.quads() if q.graph_name.value.startswith(source.graph)]
    bundled = open_graph()
    assert isomorphic(
        graph_of(in_store),
        graph_of(
            q for q in bundled.quads() if "/data/" in q.graph_name.value or q.graph_name.value == G + "ontology/gcm"
        ),
    )


def test_a_dataset_files_own_graphs_are_kept_beneath_its_graph(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "mixed.trig"
    path.write_text(
        '<https://e.org/s> <https://e.org/p> "in the default graph" .\n'
        '<https://e.org/g1> { <https://e.org/s> <https://e.org/p> "in g1" . }\n'
        f'<{G}data/states> {{ <https://e.org/s> <https://e.org/p> "claims to be states" . }}\n'
    )
    graph = open_graph([path])
    own = read_source(path).graph
    assert own + "/https%3A%2F%2Fe.org%2Fg1" in graph.graph_names
    assert own + "/https%3A%2F%2Fw3id.org%2Fgcmgraph%2Fgraph%2Fdata%2Fstates" in graph.graph_names
    text = f"SELECT ?o FROM <{own}> WHERE {{ ?s <https://e.org/p> ?o }}"
    assert [row[0].value for row in graph.query(text).rows] == ["in the default graph"]
    union = graph.query("SELECT ?o WHERE { ?s <https://e.org/p> ?o } ORDER BY ?o")
    assert [row[0].value for row in union.rows] == ["claims to be states", "in g1", "in the default graph"]
    assert G + "data/states" not in graph.graph_names  # a file never writes into another file's graph


def test_blank_nodes_of_two_files_never_merge(cache_dir: Path, tmp_path: Path) -> None:
    for name in ("a.nt", "b.nt"):
        (tmp_path / name).write_text(f'_:b0 <https://e.org/from> "{name}" .\n')
    graph = open_graph([tmp_path / "a.nt", tmp_path / "b.nt"])
    rows = graph.query("SELECT ?b (COUNT(*) AS ?n) WHERE { ?b <https://e.org/from> ?f } GROUP BY ?b").rows
    assert len(rows) == 2 and all(row[1].value == "1" for row in rows)


def test_a_folder_reads_every_file_with_an_rdf_extension(cache_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.ttl").write_text('<https://e.org/a> <https://e.org/p> "ttl" .\n')
    (folder / "b.nt").write_text('<https://e.org/b> <https://e.org/p> "nt" .\n')
    (folder / "c.jsonld.gz").write_bytes(gzip.compress(b'{"@id": "https://e.org/c", "https://e.org/p": "jsonld"}'))
    (folder / "notes.txt").write_text("not RDF, not read")
    graph = open_graph([folder])
    rows = graph.query("SELECT ?o WHERE { ?s <https://e.org/p> ?o } ORDER BY ?o").rows
    assert [row[0].value for row in rows] == ["jsonld", "nt", "ttl"]


class Listener(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Listener.requests.append(self.path)
        body = b'{"@context": {"name": "https://schema.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    Listener.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_remote_jsonld_context_is_never_fetched(cache_dir: Path, tmp_path: Path, listener: str) -> None:
    path = tmp_path / "remote-context.jsonld"
    path.write_text(json.dumps({"@context": f"{listener}/context.jsonld", "@id": "https://e.org/x", "name": "X"}))
    result = run("query", "thematic-sessions", "--data", str(path))
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "remote-context.jsonld: a remote JSON-LD @context is never fetched; put the context in the file\n"
    )
    assert result.stderr.count("\n") == 1
    assert Listener.requests == []


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (
            "bad.nt",
            "<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n<https://e.org/a> <https://e.org/b> .\n",
            ":2:",
        ),
        ("bad.nq", '<https://e.org/a> <https://e.org/b> "x" <https://e.org/g> .\n\n<https://e.org/a> "x" .\n', ":3:"),
        ("bad.jsonld", '{"@id": "https://e.org/x",\n "https://e.org/p": [1,\n }', ":3:"),
    ],
)
def test_syntax_errors_in_any_syntax_name_file_and_line(tmp_path: Path, name: str, text: str, where: str) -> None:
    (tmp_path / name).write_text(text)
    result = run("query", "thematic-sessions", "--data", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {tmp_path / name}{where}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_70_mb_file_is_accepted(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    filler = "x" * 1000
    lines = 70_000
    with path.open("w") as out:
        for n in range(lines):
            out.write(f'<https://e.org/s{n}> <https://e.org/p> "{n} {filler}" .\n')
    assert path.stat().st_size > 70 * 1000 * 1000
    query = tmp_path / "count.rq"
    query.write_text("#+ summary: count\nSELECT (COUNT(*) AS ?n) WHERE { ?s <https://e.org/p> ?o }\n")
    command = [sys.executable, "-m", "gcmgraph", "query", str(query), "--data", str(path), "-f", "csv"]
    done = subprocess.run(command, capture_output=True, env={**os.environ, "GCMGRAPH_CACHE_DIR": str(cache_dir)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines() == ["n", str(lines)]


# -- FROM and FROM NAMED -----------------------------------------------------------------------

FROM_CASES = {
    "no dataset: the union of the files": ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gcm:State }", STATES),
    "FROM one file reads only it": (
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{G}data/states> WHERE {{ ?s a gcm:State }}",
        STATES,
    ),
    "FROM another file sees none of its facts": (
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{G}data/events> WHERE {{ ?s a gcm:State }}",
        0,
    ),
    "FROM NAMED exposes the named files to GRAPH": (
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM NAMED <{G}data/states> FROM NAMED <{G}data/events> "
        "WHERE { GRAPH ?g { ?s a gcm:ThematicSession } }",
        SESSIONS,
    ),
    "FROM NAMED hides the other files from GRAPH": (
        f"SELECT (COUNT(*) AS ?n) FROM NAMED <{G}data/states> WHERE {{ GRAPH <{G}data/events> {{ ?s ?p ?o }} }}",
        0,
    ),
    "FROM NAMED alone leaves the default graph empty": (
        f"SELECT (COUNT(*) AS ?n) FROM NAMED <{G}data/states> WHERE {{ ?s ?p ?o }}",
        0,
    ),
    "FROM with a prefixed name": (
        "PREFIX g: <https://w3id.org/gcmgraph/graph/data/> "
        "SELECT (COUNT(DISTINCT ?s) AS ?n) FROM g:events WHERE { ?s a gcm:ThematicSession }",
        SESSIONS,
    ),
}


def _count_with_cli(tmp_path: Path, text: str, *extra: str) -> int:
    query = tmp_path / "from.rq"
    query.write_text("#+ summary: from\n" + PREFIX + text + "\n")
    result = run("query", str(query), "-f", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("case", sorted(FROM_CASES))
def test_from_and_from_named_read_exactly_those_graphs_locally(tmp_path: Path, case: str) -> None:
    text, expected = FROM_CASES[case]
    assert _count_with_cli(tmp_path, text) == expected


@pytest.fixture(scope="module")
def published_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server with the bundled graph published by gcmgraph, and one unrelated graph."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-from")) as url:
        result = run("publish", url)
        assert result.exit_code == 0, result.stderr
        yield url


@pytest.mark.parametrize("case", sorted(FROM_CASES))
def test_from_and_from_named_give_the_same_answers_on_a_real_endpoint(
    tmp_path: Path, published_server: str, case: str
) -> None:
    text, expected = FROM_CASES[case]
    assert _count_with_cli(tmp_path, text, "--endpoint", published_server) == expected


def test_a_graph_that_is_not_loaded_is_an_error_naming_the_loaded_ones(tmp_path: Path) -> None:
    query = tmp_path / "nope.rq"
    query.write_text(f"#+ summary: nope\nSELECT ?s\nFROM NAMED <{G}data/nope>\nWHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}\n")
    result = run("query", str(query), "--data", str(ROOT / "data" / "phases.ttl"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {query}:3: FROM NAMED <{G}data/nope> is not a loaded graph; the loaded graphs are "
        f"<{G}data/phases> <{G}ontology/gcm>\n"
    )
