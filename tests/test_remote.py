"""Beyond one machine: the same stored queries against a real Oxigraph server on 127.0.0.1, publish
over the Graph Store Protocol, serve, and one-line errors from real failing sockets."""

from __future__ import annotations

import base64
import json
import random
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from answers import assert_same_answer
from click.testing import CliRunner
from conftest import ROOT
from servers import free_port, oxigraph_binary, oxigraph_server
from test_queries import examples

from gcmgraph.cli import main
from gcmgraph.errors import RemoteError, ResultLimitError
from gcmgraph.paths import GRAPH_BASE
from gcmgraph.queries import bind, catalogue, find_query, run_query
from gcmgraph.remote import (
    MANIFEST_GRAPH,
    UNION_GRAPH,
    Endpoint,
    EndpointGraph,
    _count,
    read_manifest,
    resolve_endpoint,
)
from gcmgraph.results import QueryResult
from gcmgraph.sparql_text import values_block

UNRELATED = '<http://other.example/s> <http://other.example/p> "not ours" .\n'


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real read-write Oxigraph server (default graph NOT the union) holding an unrelated graph."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        put = urllib.request.Request(
            url.replace("/query", "/store?graph=http%3A%2F%2Fother.example%2Fg"),
            data=UNRELATED.encode(),
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(put, timeout=5).close()
        yield url


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
def published(oxigraph: str) -> str:
    result = run("publish", oxigraph)
    assert result.exit_code == 0, result.stderr
    assert "wrote 3075 triples to <https://w3id.org/gcmgraph/graph/data/states>; store holds 3075" in result.stdout
    return oxigraph


@pytest.fixture(scope="module")
def endpoint(published: str) -> EndpointGraph:
    return EndpointGraph(resolve_endpoint(published))


QUERIES = catalogue()


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_stored_query_answers_the_same_remotely(bundled, endpoint: EndpointGraph, query) -> None:
    local = run_query(bundled, query, examples(query))
    assert_same_answer(query, local, run_query(endpoint, query, examples(query)))


def test_remote_query_sees_only_the_published_graphs(bundled, published: str) -> None:
    result = run(
        "query", "states-by-region", "-p", "region=region:western-europe", "--endpoint", published, "-f", "json"
    )
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
    extra.write_text('<https://example.org/a> <https://example.org/b> "not in the bundle" .\n')
    assert run("publish", published, "--data", str(extra)).exit_code == 0  # adds a graph, keeps the others
    count = str(ROOT / "tests" / "fixtures" / "queries" / "count-all.rq")
    remote = json.loads(run("query", count, "--endpoint", published, "-f", "json").stdout)
    local = json.loads(run("query", count, "-f", "json").stdout)
    n = [int(r["results"]["bindings"][0]["n"]["value"]) for r in (remote, local)]
    assert n[0] == n[1] + 1  # by default a remote query reads the union of every graph the manifest lists
    result = run("publish", published, "--replace")
    assert result.exit_code == 0, result.stderr
    assert "deleted stale graph <https://w3id.org/gcmgraph/graph/external/" in result.stdout


def test_thousands_of_hostile_values_round_trip_on_a_real_server(published: str) -> None:
    rng = random.Random(20181210)
    alphabet = [
        '"',
        "'",
        "{",
        "}",
        "#",
        "\n",
        "\r",
        "\t",
        "\\",
        "u",
        "U",
        "0",
        "0",
        "2",
        "2",
        " ",
        "<",
        ">",
        "é",
        "😀",
        "\U0001f600",
        "a",
        "?",
        "$",
        ".",
        ";",
    ]
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
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        assert process.stderr is not None
        assert process.stderr.readline() == f"SPARQL endpoint: {url} (read-only; Ctrl-C stops it)\n"
        query = (
            "PREFIX gcm: <https://w3id.org/gcmgraph/ontology#> SELECT ?city WHERE { ?e gcm:title ?t ; "
            "gcm:location ?city FILTER(CONTAINS(?t, 'Smuggling')) }"
        )
        answer = subprocess.run(
            ["curl", "-s", "-H", "Accept: text/csv", "--data-urlencode", f"query={query}", url],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        assert answer.stdout.splitlines() == ["city", "https://w3id.org/gcmgraph/id/place/vienna"]
        update = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--data-urlencode",
                "update=CLEAR ALL",
                f"http://127.0.0.1:{port}/update",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        assert update.stdout in ("403", "404", "405")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert stderr.endswith("Stopped.\n")
    assert process.returncode == 0


class _Answering:
    """Stands in for an endpoint that answers every SELECT with the same rows (an endpoint may send anything)."""

    def __init__(self, *rows: tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...]) -> None:
        self.endpoint = Endpoint("http://127.0.0.1:9/query")
        self.rows = rows

    def query(self, text: str, **options: object) -> QueryResult:
        return QueryResult(form="SELECT", variables=("s", "p", "o")[: len(self.rows[0])], rows=self.rows)


def test_a_triple_term_where_publish_reads_back_iris_or_a_count_is_no_traceback() -> None:
    # Found by mypy: .value of a triple term (RDF 1.2) was an AttributeError.
    iri = ox.NamedNode
    manifest, has_part, part = iri(MANIFEST_GRAPH), iri("http://purl.org/dc/terms/hasPart"), iri(GRAPH_BASE + "data")
    term = ox.Triple(iri("https://example.org/a"), iri("https://example.org/b"), iri("https://example.org/c"))
    assert read_manifest(_Answering((manifest, has_part, part), (manifest, has_part, term)), 5).parts == (part.value,)
    with pytest.raises(RemoteError) as caught:
        _count(_Answering((term,)), UNION_GRAPH, 5)
    assert str(caught.value) == f"endpoint http://127.0.0.1:9/query: counted {term} triples, not a number"


# -- failures against real sockets -------------------------------------------------------------


XSD = "http://www.w3.org/2001/XMLSchema#"
ONE_ROW = {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "1"}}]}}
ASK_TABLE = {
    "head": {"vars": ["__ASK_RETVAL"]},
    "results": {
        "bindings": [  # Virtuoso 7's answer to ASK
            {"__ASK_RETVAL": {"type": "typed-literal", "datatype": XSD + "integer", "value": "1"}}
        ]
    },
}


class Scripted(BaseHTTPRequestHandler):
    """A server that answers as told by ``mode`` and records every request it gets."""

    mode = "500"
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []  # (Host, headers) per request
    password = "s3cret-pw"

    def _send(self, status: int, body: bytes | dict, kind: str = "application/sparql-results+json", **headers: str):
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        Scripted.seen.append((self.headers.get("Host", ""), dict(self.headers)))
        mode, port = Scripted.mode, self.server.server_address[1]
        authorised = (
            self.headers.get("Authorization")
            == "Basic " + base64.b64encode(f"reader:{Scripted.password}".encode()).decode()
        )
        if mode == "silent":
            time.sleep(5)
        elif mode == "500":
            self._send(500, b"Internal trouble: the index is rebuilding\nsecond line", "text/plain")
        elif mode == "html":
            self._send(200, b"<!DOCTYPE html><html><body>Welcome</body></html>", "text/html; charset=utf-8")
        elif mode in ("basic", "redirect-host") and self.headers.get("Host", "").startswith("localhost"):
            self._send(200, ONE_ROW)  # the other host: answers anyone
        elif mode in ("basic", "redirect-host") and not authorised:
            self._send(401, b"", "text/plain", WWW_Authenticate='Basic realm="sparql"')
        elif mode == "redirect-host":
            self._send(307, b"", "text/plain", Location=f"http://localhost:{port}{self.path}")
        elif mode == "redirect-https":
            self._send(302, b"", "text/plain", Location=f"https://127.0.0.1:{port}{self.path}")
        elif mode == "busy-forever" or (mode == "busy" and len(Scripted.seen) < 3):
            self._send(503, b"busy", "text/plain", Retry_After="0")
        elif mode == "big":
            self._send(
                200,
                {
                    "head": {"vars": ["n"]},
                    "results": {"bindings": [{"n": {"type": "literal", "value": "x" * 1000}}] * 3000},
                },
            )
        elif mode == "partial":  # Virtuoso's "anytime" answer
            self._send(200, ONE_ROW, X_SQL_State="S1TAT", X_SQL_Message="RC...: Returning incomplete results")
        elif mode == "ask-table":
            self._send(200, ASK_TABLE)
        elif mode == "ask-two-rows":
            self._send(200, {"head": ASK_TABLE["head"], "results": {"bindings": ASK_TABLE["results"]["bindings"] * 2}})
        else:
            self._send(200, ONE_ROW)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[str]:
    Scripted.seen = []
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
    message = _remote_error(scripted, "--timeout", "1")
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


def _ask(url: str, text: str = "SELECT ?n WHERE {}", **options):
    return EndpointGraph(Endpoint(url, default_graphs=())).query(text, **options)


def test_credentials_go_only_where_asked_for_and_never_to_another_host(scripted: str, monkeypatch) -> None:
    monkeypatch.setenv("GCMGRAPH_ENDPOINT_USER", "reader")
    monkeypatch.setenv("GCMGRAPH_ENDPOINT_PASSWORD", Scripted.password)
    Scripted.mode = "basic"
    assert _ask(scripted).rows[0][0].value == "1"
    assert ["Authorization" in headers for _, headers in Scripted.seen] == [False, True]  # sent once asked
    Scripted.mode, Scripted.seen = "redirect-host", []
    assert _ask(scripted).rows[0][0].value == "1"
    elsewhere = [headers for host, headers in Scripted.seen if host.startswith("localhost")]
    assert elsewhere and not any("Authorization" in headers for headers in elsewhere)


def test_wrong_or_missing_credentials_are_named_without_the_password(scripted: str, monkeypatch) -> None:
    Scripted.mode = "basic"
    monkeypatch.setenv("NETRC", "/nonexistent")
    with pytest.raises(RemoteError, match=r"HTTP 401 Unauthorized: \(empty body\) \(no credentials for 127.0.0.1: set"):
        _ask(scripted)
    monkeypatch.setenv("GCMGRAPH_ENDPOINT_USER", "reader")
    monkeypatch.setenv("GCMGRAPH_ENDPOINT_PASSWORD", "wrong-" + Scripted.password)
    with pytest.raises(RemoteError) as refused:
        _ask(scripted)
    assert str(refused.value).endswith("(the credentials for 127.0.0.1 were refused)")
    assert Scripted.password not in str(refused.value)


def test_credentials_from_a_netrc_file(scripted: str, monkeypatch, tmp_path: Path) -> None:
    Scripted.mode = "basic"
    (tmp_path / "netrc").write_text(f"machine 127.0.0.1 login reader password {Scripted.password}\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    assert _ask(scripted).rows[0][0].value == "1"


def test_redirect_to_another_scheme_is_refused(scripted: str) -> None:
    Scripted.mode = "redirect-https"
    with pytest.raises(
        RemoteError, match=r"^endpoint http://127.0.0.1:\d+/sparql: refused redirect from http to https$"
    ):
        _ask(scripted)


def test_busy_store_is_asked_again_a_bounded_number_of_times(scripted: str) -> None:
    Scripted.mode = "busy"  # 503 twice, then the answer
    assert _ask(scripted).rows[0][0].value == "1"
    assert len(Scripted.seen) == 3
    Scripted.mode, Scripted.seen = "busy-forever", []
    with pytest.raises(RemoteError, match=r"HTTP 503 Service Unavailable: busy$"):
        _ask(scripted)
    assert len(Scripted.seen) == 3


def test_answer_larger_than_max_rows_allows_is_refused_while_reading(scripted: str) -> None:
    Scripted.mode = "big"  # 3000 rows of 1 kB: about 3 MB
    with pytest.raises(ResultLimitError, match=r"answer larger than 1056768 bytes \(raise it with --max-rows\)"):
        _ask(scripted, max_rows=2)
    assert len(_ask(scripted, max_rows=3000).rows) == 3000


def test_ask_answered_as_a_table_reads_as_a_boolean_and_anything_else_is_an_error(scripted: str) -> None:
    Scripted.mode = "ask-table"
    assert _ask(scripted, "ASK {}").boolean is True
    Scripted.mode = "ask-two-rows"
    with pytest.raises(RemoteError, match=r"the answer to an ASK query is neither true nor false"):
        _ask(scripted, "ASK {}")
    Scripted.mode = "one-row"  # a table of a string for an ASK
    with pytest.raises(RemoteError, match=r"neither true nor false"):
        _ask(scripted, "ASK {}")


def test_endpoint_alias_keys_are_checked(tmp_path: Path) -> None:
    (tmp_path / "gcmgraph.toml").write_text('[endpoints.v]\nurl = "http://127.0.0.1:8890/sparql"\npost = "multipart"\n')
    with pytest.raises(RemoteError, match=r"^endpoint alias 'v': 'post' must be one of form, sparql-query$"):
        resolve_endpoint("v", folder=tmp_path)
    (tmp_path / "gcmgraph.toml").write_text('[endpoints.v]\nurl = "http://127.0.0.1:8890/sparql"\nstor = "x"\n')
    with pytest.raises(
        RemoteError, match=r"unknown key\(s\) stor; known: default-graphs, named-graphs, post, store, url$"
    ):
        resolve_endpoint("v", folder=tmp_path)
    (tmp_path / "gcmgraph.toml").write_text('[endpoints.v]\nurl = "http://127.0.0.1:8890/sparql"\n')
    assert resolve_endpoint("v", folder=tmp_path, store="http://127.0.0.1:8890/sparql-graph-crud-auth").store_url == (
        "http://127.0.0.1:8890/sparql-graph-crud-auth"
    )


def test_a_partial_answer_is_an_error(scripted: str) -> None:
    Scripted.mode = "partial"
    with pytest.raises(RemoteError, match=r"the store sent a partial answer \(RC...: Returning incomplete results\)$"):
        _ask(scripted)
