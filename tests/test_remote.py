"""Beyond one machine: the same stored queries against a real Oxigraph server on 127.0.0.1, publish
over the Graph Store Protocol, serve, and one-line errors from real failing sockets."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import ROOT, gathered
from rdflib.compare import isomorphic

from gcmgraph.bridge import graph_of
from gcmgraph.cli import main
from gcmgraph.queries import bind, catalogue, find_query, run_query
from gcmgraph.remote import Endpoint, EndpointGraph, resolve_endpoint
from gcmgraph.serve import oxigraph_binary
from gcmgraph.sparql_text import values_block

UNRELATED = '<http://other.example/s> <http://other.example/p> "not ours" .\n'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real read-write Oxigraph server (default graph NOT the union) holding an unrelated graph."""
    port = free_port()
    folder = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query")
        put = urllib.request.Request(
            base + "/store?graph=http%3A%2F%2Fother.example%2Fg", data=UNRELATED.encode(), method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )  # fmt: skip
        urllib.request.urlopen(put, timeout=5).close()
        yield base + "/query"
    finally:
        process.terminate()
        process.wait(timeout=10)


def store_quads(query_url: str) -> set[ox.Quad]:
    """Every quad in the store (all graphs), blank nodes canonicalised, read without gcmgraph."""
    dump = urllib.request.Request(query_url.replace("/query", "/store"), headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(dump, timeout=30) as answer:
        dataset = ox.Dataset(ox.parse(answer.read(), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def published(oxigraph_server: str) -> str:
    result = run("publish", oxigraph_server)
    assert result.exit_code == 0, result.stderr
    assert "wrote 3075 triples to <https://w3id.org/gcmgraph/graph/data/states>; store holds 3075" in result.stdout
    return oxigraph_server


def _examples(query) -> dict[str, list[str]]:
    return {p.name: [p.example] for p in query.parameters if p.required and not p.default and p.example}


QUERIES = catalogue()


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_stored_query_answers_the_same_remotely(bundled, published: str, query) -> None:
    params = _examples(query)
    local = run_query(bundled, query, params)
    remote = run_query(EndpointGraph(resolve_endpoint(published), published_graphs=bundled.graph_names), query, params)
    if local.is_graph:
        assert isomorphic(graph_of(local.triples), graph_of(remote.triples))
    elif local.form == "ASK":
        assert local.boolean == remote.boolean
    else:
        assert local.variables == remote.variables
        assert Counter(tuple(map(gathered, row)) for row in local.rows) == Counter(
            tuple(map(gathered, row)) for row in remote.rows
        )


def test_remote_query_sees_only_the_published_graphs(bundled, published: str) -> None:
    result = run("query", "states-by-region", "-p", "region=region:western-europe", "--endpoint", published, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "other.example" not in result.stdout
    query_file = ROOT / "tests" / "fixtures" / "queries" / "count-all.rq"
    ours = json.loads(run("query", str(query_file), "--endpoint", published, "-f", "json").stdout)
    theirs = json.loads(run("query", str(query_file), "--endpoint", published, "--no-graphs", "-f", "json").stdout)
    local = json.loads(run("query", str(query_file), "-f", "json").stdout)
    assert ours["results"]["bindings"][0]["n"]["value"] == local["results"]["bindings"][0]["n"]["value"]
    assert int(theirs["results"]["bindings"][0]["n"]["value"]) == 0  # the store's own default graph is empty


def test_publishing_twice_leaves_the_same_store(published: str) -> None:
    before = store_quads(published)
    assert run("publish", published).exit_code == 0
    assert store_quads(published) == before
    assert any(q.graph_name == ox.NamedNode("http://other.example/g") for q in before)  # untouched


def test_replace_after_a_data_change_leaves_no_stale_triple(published: str, tmp_path: Path) -> None:
    smaller = tmp_path / "only.ttl"
    smaller.write_text((ROOT / "data" / "phases.ttl").read_text())
    result = run("publish", published, "--data", str(smaller), "--replace")
    assert result.exit_code == 0, result.stderr
    assert "deleted stale graph <https://w3id.org/gcmgraph/graph/data/states>" in result.stdout
    graphs = {quad.graph_name.value for quad in store_quads(published) if isinstance(quad.graph_name, ox.NamedNode)}
    assert not any("graph/data/states" in g for g in graphs)
    assert "http://other.example/g" in graphs
    assert run("publish", published, "--replace").exit_code == 0  # back to the bundled graph for other tests


def test_graphs_of_an_earlier_publish_stay_removable(published: str, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text((ROOT / "data" / "phases.ttl").read_text())
    assert run("publish", published, "--data", str(extra)).exit_code == 0  # adds a graph, keeps the others
    count = str(ROOT / "tests" / "fixtures" / "queries" / "count-all.rq")
    remote = json.loads(run("query", count, "--endpoint", published, "-f", "json").stdout)
    local = json.loads(run("query", count, "-f", "json").stdout)
    n = [int(r["results"]["bindings"][0]["n"]["value"]) for r in (remote, local)]
    assert n[0] > n[1]  # by default a remote query reads every graph the store's manifest lists
    result = run("publish", published, "--replace")
    assert result.exit_code == 0, result.stderr
    assert "deleted stale graph <https://w3id.org/gcmgraph/graph/external/" in result.stdout


def test_thousands_of_hostile_values_round_trip_on_a_real_server(published: str) -> None:
    rng = random.Random(20181210)
    alphabet = ['"', "'", "{", "}", "#", "\n", "\r", "\t", "\\", "u", "U", "0", "0", "2", "2", " ", "<", ">",
                "é", "😀", "\U0001f600", "a", "?", "$", ".", ";"]  # fmt: skip
    values = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(2500)})
    values += ["\\u0022", "\\\\u0022", '"} } DELETE WHERE { ?s ?p ?o } #']
    remote = EndpointGraph(Endpoint(published, default_graphs=()))
    returned: list[str] = []
    for start in range(0, len(values), 500):
        batch = [ox.Literal(v) for v in values[start : start + 500]]
        text = "SELECT ?_v WHERE { " + values_block("_v", batch) + " }"
        returned += [row[0].value for row in remote.query(text).rows]
    assert sorted(returned) == sorted(values)
    assert len(values) > 2000


def test_iri_with_angle_bracket_is_refused_as_a_parameter() -> None:
    query = find_query(str(ROOT / "tests" / "fixtures" / "queries" / "typed-params.rq"))
    with pytest.raises(Exception, match="is not a valid IRI"):
        bind(query, {"thing": ["http://e.org/a>b"], "count": ["1"], "day": ["2018-12-10"], "name": ["x"]})


def test_serve_answers_a_client_we_did_not_write_and_refuses_updates() -> None:
    port = free_port()
    process = subprocess.Popen(
        [str(Path(oxigraph_binary()).parent / "gcmgraph"), "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/query"
    try:
        assert process.stderr is not None
        assert process.stderr.readline() == f"SPARQL endpoint: {url} (read-only; Ctrl-C stops it)\n"
        query = ("PREFIX gcm: <https://w3id.org/gcmgraph/ontology#> SELECT ?city WHERE { ?e gcm:title ?t ; "
                 "gcm:location ?city FILTER(CONTAINS(?t, 'Smuggling')) }")  # fmt: skip
        answer = subprocess.run(
            ["curl", "-s", "-H", "Accept: text/csv", "--data-urlencode", f"query={query}", url],
            capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
        assert answer.stdout.splitlines() == ["city", "https://w3id.org/gcmgraph/id/place/vienna"]
        update = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "update=CLEAR ALL",
             f"http://127.0.0.1:{port}/update"],
            capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
        assert update.stdout in ("403", "404", "405")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert stderr.endswith("Stopped.\n")
    assert process.returncode == 0


# -- failures against real sockets -------------------------------------------------------------


class Scripted(BaseHTTPRequestHandler):
    mode = "500"

    def do_GET(self) -> None:
        if Scripted.mode == "silent":
            time.sleep(5)
            return
        if Scripted.mode == "500":
            body, status, kind = b"Internal trouble: the index is rebuilding\nsecond line", 500, "text/plain"
        else:
            body, status, kind = b"<!DOCTYPE html><html><body>Welcome</body></html>", 200, "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    httpd.shutdown()
    httpd.server_close()


def _remote_error(endpoint: str, *extra: str):
    result = run("query", "states-by-region", "-p", "region=region:asia", "--endpoint", endpoint, *extra)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


def test_connection_refused_is_one_line() -> None:
    port = free_port()
    assert _remote_error(f"http://127.0.0.1:{port}/sparql") == (
        f"Error: endpoint http://127.0.0.1:{port}/sparql: cannot connect (Connection refused)\n"
    )


def test_server_that_never_answers_hits_the_timeout(scripted: str) -> None:
    Scripted.mode = "silent"
    started = time.monotonic()
    message = _remote_error(scripted, "--timeout", "1")
    assert time.monotonic() - started < 4
    assert message == f"Error: endpoint {scripted}: no answer within 1 s\n"


def test_http_500_names_status_and_first_line_of_the_body(scripted: str) -> None:
    Scripted.mode = "500"
    assert _remote_error(scripted) == (
        f"Error: endpoint {scripted}: HTTP 500 Internal Server Error: Internal trouble: the index is rebuilding\n"
    )


def test_html_answer_is_not_taken_for_results(scripted: str) -> None:
    Scripted.mode = "html"
    assert _remote_error(scripted) == (
        f"Error: endpoint {scripted}: answered with text/html, not SPARQL results (is this the query endpoint?)\n"
    )


def test_only_http_endpoints_and_no_credentials_in_urls() -> None:
    assert _remote_error("file:///etc/passwd") == (
        "Error: endpoint 'file:///etc/passwd': only http:// and https:// URLs are allowed\n"
    )
    assert "not in the URL" in _remote_error("http://user:secret@127.0.0.1:9/sparql")
    assert "secret" not in _remote_error("http://user:secret@127.0.0.1:9/sparql")


def test_endpoint_alias_from_config_file(tmp_path: Path, published: str) -> None:
    (tmp_path / "gcmgraph.toml").write_text(f'[endpoints.test]\nurl = "{published}"\n')
    endpoint = resolve_endpoint("test", folder=tmp_path)
    assert endpoint.url == published and endpoint.default_graphs is None
