"""``gcmgraph serve`` makes no outbound request, ever, and stays bounded (issue 13.1).

The query check is tested on its own first (every trick that hides SERVICE from a tokenizer, and
generated queries), always against a real local listener: a check "passes" only if evaluating
what it lets through never contacts the listener. Then a real ``gcmgraph serve`` runs in a
subprocess on 127.0.0.1 and is sent SERVICE in every form, updates, outside graphs, a query that
runs too long beside a quick one, answers too large, a query that needs too much memory, and
malformed or oversized requests.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servers import Served, call, listener, running_serve

from gcmgraph.errors import RefusedQueryError
from gcmgraph.guard import confine

GRAPHS = ["https://w3id.org/gcmgraph/graph/data/votes", "https://w3id.org/gcmgraph/graph/data/events"]
REFUSED = "query:{line}: SERVICE is refused: this server sends no request elsewhere"
VOTES = "https://w3id.org/gcmgraph/graph/data/votes"


@pytest.fixture(scope="module")
def outside() -> Iterator[tuple[str, list[str]]]:
    with listener() as (url, hits):
        yield url, hits


def _tiny_store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    return store


def _reaches(text: str, hits: list[str]) -> bool:
    """Whether evaluating ``text`` with pyoxigraph contacts the listener."""
    before = len(hits)
    try:
        result = _tiny_store().query(text)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return len(hits) > before


# -- the check on its own ----------------------------------------------------------------------

KEYWORD_FORMS = {
    "plain": "SELECT * WHERE { SERVICE <{url}/x> { ?s ?p ?o } }",
    "lower case": "select * where { service <{url}/x> { ?s ?p ?o } }",
    "mixed case": "SELECT * WHERE { SeRvIcE <{url}/x> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}/x> { ?s ?p ?o } }",
    "no space before the IRI": "SELECT * WHERE { SERVICE<{url}/x>{?s ?p ?o} }",
    "newline and tab": "SELECT * WHERE {\n\tSERVICE\n\t<{url}/x>\n{ ?s ?p ?o } }",
    "in optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { { SERVICE <{url}/x> { ?s ?p ?q } } } }",
    "in minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}/x> { ?s ?p ?o } } }",
    "in filter exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}/x> { ?s ?p ?o } } }",
    "in a sub-select": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/x> { ?s ?p ?o } } } }",
    "in a union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}/x> { ?s ?p ?o } } }",
    "prefixed name": "PREFIX r: <{url}/> SELECT * WHERE { SERVICE r:x { ?s ?p ?o } }",
    "glued to a prefixed name": "PREFIX : <{url}/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "silent glued": "PREFIX : <{url}/> SELECT * WHERE { SERVICE SILENT:x { ?s ?p ?o } }",
    "after a comment": "SELECT * WHERE { # a comment\nSERVICE <{url}/x> { ?s ?p ?o } }",
    "after an IRI with #": "SELECT * WHERE { <http://e/a#> ?p ?o .\nSERVICE <{url}/x> { ?s ?p ?o } }",
    "after a string with a brace": 'SELECT * WHERE { BIND("}" AS ?b)\nSERVICE <{url}/x> { ?s ?p ?o } }',
    "in a construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}/x> { ?s ?p ?o } }",
    "in an ask": "ASK { SERVICE <{url}/x> { ?s ?p ?o } }",
}

# Tricks where a tokenizer and the engine disagree on where a string or an IRI ends: the
# engine reads SERVICE as a keyword although a tokenizer sees it inside a string.
HIDDEN_FORMS = {
    "escaped quote in a prefixed name": (
        "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\\' AS ?z) SERVICE <{url}/x> { ?s ?p ?o } "
        'FILTER(?o != "\'") }'
    ),
    "less-than before a quote": (
        "SELECT * WHERE { BIND(1<'x>' AS ?w) SERVICE <{url}/x> { ?s ?p ?o } FILTER(?o != 'y') }"
    ),
}


def _fill(template: str, url: str) -> str:
    return template.replace("{url}", url)


@pytest.mark.parametrize("name", sorted(KEYWORD_FORMS))
def test_service_in_any_form_is_refused_with_one_line(name: str, outside) -> None:
    url, hits = outside
    text = _fill(KEYWORD_FORMS[name], url)
    with pytest.raises(RefusedQueryError) as refused:
        confine(text, GRAPHS)
    assert str(refused.value) == REFUSED.format(line=text[: text.upper().index("SERVICE")].count("\n") + 1)
    assert hits == []


@pytest.mark.parametrize("name", sorted(HIDDEN_FORMS))
def test_service_hidden_from_a_tokenizer_still_never_runs(name: str, outside) -> None:
    url, hits = outside
    text = _fill(HIDDEN_FORMS[name], url)
    assert _reaches(text, hits), "the trick is real: unchecked, the engine calls the listener"
    hits.clear()
    confined = confine(text, GRAPHS)  # the tokenizer is fooled, so the check does not refuse it...
    assert "SER\\u0056ICE" in confined.text  # ...but the word the engine would run is escaped,
    assert not _reaches(confined.text, hits)  # so the engine cannot parse it as SERVICE.
    assert hits == []


def test_service_in_strings_iris_and_comments_is_allowed_and_keeps_its_value(outside) -> None:
    url, hits = outside
    text = (
        "# service in a comment\nSELECT ?a ?b ?c ?d WHERE { "
        'BIND(\'customer service\' AS ?a) BIND("""SERVICE <' + url + '/x>""" AS ?b) '
        "BIND(<http://example.org/Service> AS ?c) BIND('\\\\service' AS ?d) }"
    )
    confined = confine(text, GRAPHS)
    [row] = list(_tiny_store().query(confined.text))
    assert [row[v].value for v in ("a", "b", "c", "d")] == [
        "customer service",
        f"SERVICE <{url}/x>",
        "http://example.org/Service",
        "\\service",
    ]
    assert hits == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "SELECT ?service WHERE { ?service ?p ?o }",
            "query:1: '?service' is refused: outside strings and IRIs the letters 'service' could call another "
            "endpoint; rename it",
        ),
        (
            "LOAD <http://127.0.0.1:1/x>",
            "query: SPARQL Update (INSERT, DELETE, LOAD ...) is refused: this server only reads",
        ),
        (
            "INSERT DATA { <http://e/s> <http://e/p> 1 }",
            "query: SPARQL Update (INSERT, DELETE, LOAD ...) is refused: this server only reads",
        ),
        (
            "SELECT * FROM <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }",
            f"query:1: FROM <http://127.0.0.1:1/g> names a graph that is not loaded (write a full IRI); loaded graphs: "
            f"<{GRAPHS[1]}> <{GRAPHS[0]}>",
        ),
        (
            "SELECT * FROM NAMED <g> WHERE { ?s ?p ?o }",
            f"query:1: FROM NAMED <g> names a graph that is not loaded (write a full IRI); loaded graphs: "
            f"<{GRAPHS[1]}> <{GRAPHS[0]}>",
        ),
    ],
    ids=["service in a name", "load", "insert", "from outside", "from named relative"],
)
def test_updates_names_and_outside_graphs_are_refused(text: str, message: str) -> None:
    with pytest.raises(RefusedQueryError) as refused:
        confine(text, GRAPHS)
    assert str(refused.value) == message


def test_from_a_loaded_graph_names_its_own_dataset() -> None:
    confined = confine(f"SELECT * FROM <{VOTES}> WHERE {{ ?s ?p ?o }}", GRAPHS)
    assert (confined.form, confined.names_dataset) == ("SELECT", True)
    assert confine("SELECT * WHERE { ?s ?p ?o }", GRAPHS).names_dataset is False


_WRAPPERS = [
    "{0}",
    "OPTIONAL {{ {0} }}",
    "{{ {0} }}",
    "MINUS {{ {0} }}",
    "FILTER EXISTS {{ {0} }}",
    "{{ SELECT * WHERE {{ {0} }} }}",
    "{{ ?a ?b ?c }} UNION {{ {0} }}",
    "GRAPH ?g {{ {0} }}",
]
_DECOYS = [
    "",
    "BIND('service' AS ?d1) ",
    "BIND(<http://e/service> AS ?d2) ",
    "# service\n",
    "BIND(ex:a\\' AS ?d3) ",
    "BIND(1<'x>' AS ?d4) ",
    'BIND("\\"" AS ?d5) ',
]
_CLOSERS = ["", ' FILTER(?o != "\'")', " FILTER(?o != 'y')"]


@st.composite
def service_queries(draw: st.DrawFn, url: str) -> str:
    word = "".join(c.upper() if draw(st.booleans()) else c for c in "service")
    silent = draw(st.sampled_from(["", " SILENT", " silent"]))
    target = draw(st.sampled_from([f"<{url}/x>", "l:x", ":x"]))
    gap = draw(st.sampled_from([" ", "\n", "\t", "  ", " # note\n", ""]))
    if gap == "" and target == "l:x":
        gap = " "
    clause = f"{word}{silent}{gap}{target} {{ ?s ?p ?o }}"
    for _ in range(draw(st.integers(0, 3))):
        clause = draw(st.sampled_from(_WRAPPERS)).format(clause)
    decoy, closer = draw(st.sampled_from(_DECOYS)), draw(st.sampled_from(_CLOSERS))
    return f"PREFIX ex: <http://e/> PREFIX l: <{url}/> PREFIX : <{url}/>\nSELECT * WHERE {{ {decoy}{clause}{closer} }}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_queries_never_reach_the_listener(data: st.DataObject, outside) -> None:
    url, hits = outside
    text = data.draw(service_queries(url))
    try:
        confined = confine(text, GRAPHS)
    except RefusedQueryError as refused:
        assert "\n" not in str(refused)
        return
    assert not _reaches(confined.text, hits), text
    assert hits == []


# -- a real server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """A real ``gcmgraph serve`` with tight limits: 5 s, 1,000,000 bytes, 700 MB per worker."""
    with running_serve("--timeout", "5", "--max-bytes", "1000000", "--max-memory", "700", "--workers", "2") as server:
        yield server


def _get(served: Served, query: str, accept: str = "", path: str = "/query") -> object:
    headers = {"Accept": accept} if accept else {}
    return call(f"{served.base}{path}?{urllib.parse.urlencode({'query': query})}", headers=headers)


def _one_line(answer) -> str:
    assert answer.content_type == "text/plain; charset=utf-8"
    assert answer.text.endswith("\n") and answer.text.count("\n") == 1, answer.text
    return answer.text.rstrip("\n")


def test_service_sent_every_way_gets_400_and_the_listener_hears_nothing(served: Served) -> None:
    with listener() as (url, hits):
        assert call(url + "/control").status == 200 and hits == ["GET /control"]  # the listener works
        hits.clear()
        for name, template in sorted({**KEYWORD_FORMS, **HIDDEN_FORMS}.items()):
            text = _fill(template, url)
            encoded = urllib.parse.quote(text, safe="")
            answers = {
                "GET": call(f"{served.query_url}?query={encoded}"),
                "GET, every byte escaped": call(
                    f"{served.query_url}?query=" + "".join(f"%{b:02X}" for b in text.encode())
                ),
                "POST form": call(
                    served.query_url,
                    data=f"query={encoded}".encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                ),
                "POST query": call(
                    served.query_url, data=text.encode(), headers={"Content-Type": "application/sparql-query"}
                ),
                "/sparql": call(f"{served.base}/sparql?query={encoded}"),
            }
            for how, answer in answers.items():
                assert answer.status == 400, (name, how, answer.text)
                line = _one_line(answer)
                if name in KEYWORD_FORMS:
                    assert line.startswith("query:") and line.endswith(
                        ": SERVICE is refused: this server sends no request elsewhere"
                    ), (name, how, line)
                else:
                    assert ": SPARQL syntax error: " in line, (name, how, line)
    assert hits == []


def test_updates_loads_and_outside_graphs_get_400_and_reach_nothing(served: Served) -> None:
    with listener() as (url, hits):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        answers = [
            call(served.query_url, data=urllib.parse.urlencode({"update": f"LOAD <{url}/x>"}).encode(), headers=form),
            call(
                served.query_url, data=f"LOAD <{url}/x>".encode(), headers={"Content-Type": "application/sparql-update"}
            ),
            _get(served, f"LOAD <{url}/x>"),
            _get(served, f"SELECT * FROM <{url}/g> WHERE {{ ?s ?p ?o }}"),
            _get(served, f"SELECT * FROM NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
            call(f"{served.query_url}?" + urllib.parse.urlencode({"query": "ASK {}", "default-graph-uri": f"{url}/g"})),
            call(served.base + "/update", data=b"update=CLEAR+ALL", headers=form),
        ]
        lines = [(a.status, _one_line(a)) for a in answers]
    assert hits == []
    assert lines[0] == lines[1] == (400, "SPARQL Update is refused: this server only reads")
    assert lines[2] == (400, "query: SPARQL Update (INSERT, DELETE, LOAD ...) is refused: this server only reads")
    assert lines[3][0] == lines[4][0] == lines[5][0] == 400
    assert lines[3][1].startswith(f"query:1: FROM <{url}/g> names a graph that is not loaded")
    assert lines[4][1].startswith(f"query:1: FROM NAMED <{url}/g> names a graph that is not loaded")
    assert lines[5][1].startswith(f"graph <{url}/g> is not loaded; loaded graphs: <https://w3id.org/gcmgraph/graph/")
    assert lines[6] == (404, "nothing at '/update'; try /query or /api/openapi.json")


def test_from_a_loaded_graph_reads_only_that_graph(served: Served) -> None:
    gcm = "PREFIX gcm: <https://w3id.org/gcmgraph/ontology#> "
    votes = _get(
        served, gcm + f"SELECT (COUNT(DISTINCT ?v) AS ?n) FROM <{VOTES}> WHERE {{ ?v a gcm:Vote }}", "text/csv"
    )
    assert votes.text.splitlines() == ["n", "27"]  # the 27 votes the sources name, all in data/votes.ttl

    def recorded(answer) -> bool:  # the three recorded votes are events, in data/events.ttl
        return json.loads(answer.body)["boolean"]

    assert recorded(_get(served, gcm + "ASK { ?e a gcm:RecordedVote }")) is True
    assert recorded(_get(served, gcm + f"ASK FROM <{VOTES}> {{ ?e a gcm:RecordedVote }}")) is False
    protocol = {"query": gcm + "ASK { ?e a gcm:RecordedVote }", "default-graph-uri": VOTES}
    assert recorded(call(f"{served.query_url}?{urllib.parse.urlencode(protocol)}")) is False


def test_content_negotiation_on_the_endpoint(served: Served) -> None:
    query = (
        "PREFIX gcm: <https://w3id.org/gcmgraph/ontology#> SELECT ?city WHERE { ?e gcm:title ?t ; "
        "gcm:location ?city FILTER(CONTAINS(?t, 'Smuggling')) }"
    )
    vienna = "https://w3id.org/gcmgraph/id/place/vienna"
    default = _get(served, query)
    assert default.content_type == "application/sparql-results+json"
    assert json.loads(default.body)["results"]["bindings"] == [{"city": {"type": "uri", "value": vienna}}]
    assert _get(served, query, "text/csv").text.splitlines() == ["city", vienna]
    assert _get(served, query, "text/tab-separated-values").text.splitlines() == ["?city", f"<{vienna}>"]
    xml = _get(served, query, "application/sparql-results+xml;q=0.9, text/html;q=1")
    assert xml.content_type == "application/sparql-results+xml" and f"<uri>{vienna}</uri>" in xml.text
    graph = _get(served, f"CONSTRUCT {{ <{vienna}> ?p ?o }} WHERE {{ <{vienna}> ?p ?o }}", "text/turtle")
    assert graph.content_type == "text/turtle; charset=utf-8"
    labels = [
        t.object.value
        for t in ox.parse(graph.body, format=ox.RdfFormat.TURTLE)
        if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"
    ]
    assert labels == ["Vienna"]
    refused = _get(served, query, "image/png")
    assert (refused.status, _one_line(refused)) == (
        406,
        "no format for a table (SELECT/ASK) result matches 'Accept: image/png'; offered: text/plain, text/csv, "
        "text/tab-separated-values, application/sparql-results+json, application/sparql-results+xml, text/markdown",
    )
    strings = _get(served, "SELECT ?a WHERE { BIND('customer service' AS ?a) }", "text/csv")
    assert strings.text.splitlines() == ["a", "customer service"]


def _children_cpu_seconds(pid: int) -> float:
    """CPU time used so far by the live child processes of ``pid`` (Linux /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def test_a_slow_query_is_stopped_while_a_quick_one_is_answered(served: Served) -> None:
    slow: dict[str, object] = {}
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 7929^3 rows: hours of work
    thread = threading.Thread(target=lambda: slow.setdefault("answer", _get(served, cross)))
    thread.start()
    time.sleep(0.5)
    quick = call(f"{served.base}/api/was-adopted-in-marrakech")
    assert thread.is_alive(), "the quick query was answered while the slow one still ran"
    assert (quick.status, json.loads(quick.body)["boolean"]) == (200, True)
    thread.join(timeout=60)
    answer = slow["answer"]
    assert (answer.status, _one_line(answer)) == (503, "query: stopped after 5 s (the server's --timeout)")
    for _ in range(3):  # the server goes on answering, with a fresh worker in place of the stopped one
        again = call(f"{served.base}/api/was-adopted-in-marrakech")
        assert json.loads(again.body)["boolean"] is True
    if Path("/proc").is_dir():  # and the stopped query left no work behind: no worker is busy
        time.sleep(2)
        before = _children_cpu_seconds(served.process.pid)
        time.sleep(2)
        assert _children_cpu_seconds(served.process.pid) - before < 1.0  # a runaway query would use 2 s


def test_an_answer_larger_than_the_limit_is_cut_off_with_507(served: Served) -> None:
    for query in ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        answer = _get(served, query)
        assert (answer.status, _one_line(answer)) == (
            507,
            "query: the answer is larger than 1000000 bytes (the server's limit)",
        )
    small = _get(served, "SELECT * WHERE { ?s ?p ?o } LIMIT 2")
    assert len(json.loads(small.body)["results"]["bindings"]) == 2


def test_a_query_that_needs_too_much_memory_is_stopped_with_507(served: Served) -> None:
    answer = _get(served, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c")  # sorts 63 million rows
    assert (answer.status, _one_line(answer)) == (
        507,
        "query: the query engine stopped; the query most likely needs more memory than 700 MB (the server's "
        "--max-memory)",
    )
    assert json.loads(call(f"{served.base}/api/was-adopted-in-marrakech").body)["boolean"] is True


def test_malformed_and_oversized_requests_get_one_line_errors(served: Served) -> None:
    checks = [
        (call(served.query_url), 400, "no query: send query=... (SPARQL 1.1 Protocol), e.g. /query?query=ASK%7B%7D"),
        (_get(served, "SELECT WHERE {"), 400, None),
        (
            call(served.query_url, data=b"query=ASK{}", headers={"Content-Type": "text/plain"}),
            415,
            "Content-Type 'text/plain': send application/sparql-query or application/x-www-form-urlencoded",
        ),
        (call(f"{served.query_url}?query=ASK%7B%7D&query=ASK%7B%7D"), 400, "give query= once, not 2 times"),
        (call(f"{served.query_url}?query=%FF"), 400, "the request is not UTF-8 text"),
        (
            call(served.query_url + "?query=" + "x" * 20_000),
            414,
            "the URL is longer than 16384 characters; send the query by POST",
        ),
        (call(served.query_url, headers={f"X-Extra-{i}": "1" for i in range(70)}), 431, "more than 64 header fields"),
        (
            call(served.base + "/query", method="PUT", data=b"x"),
            405,
            "PUT is not allowed here; use GET or HEAD or POST",
        ),
        (call(served.base + "/../../etc/passwd"), 404, None),
        (call(served.base + "/store"), 404, "nothing at '/store'; try /query or /api/openapi.json"),
        (call(served.base + "/api/"), 404, "no stored query ''; the catalogue is at /api/openapi.json"),
        (call(served.base + "/api/..%2F..%2Fqueries"), 404, None),
    ]
    for answer, status, line in checks:
        assert answer.status == status, answer.text
        text = _one_line(answer)
        assert line is None or text == line, text
    syntax = _one_line(checks[1][0])
    assert syntax.startswith("query:1:") and ": SPARQL syntax error: " in syntax
    # A body over 1 MB is refused by waitress from its Content-Length, before anything reads it. (The
    # headers alone are sent: a client still writing the body may see the connection close first.)
    host, port = served.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(
            b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000001\r\n\r\n"
        )
        assert raw.recv(64).startswith(b"HTTP/1.1 413 ")


def test_a_huge_query_text_is_checked_within_the_time_limit_while_others_are_answered(served: Served) -> None:
    huge: dict[str, object] = {}
    text = ("<" * 900_000).encode()  # a megabyte of text that is slow to tokenize
    post = {"Content-Type": "application/sparql-query"}
    thread = threading.Thread(target=lambda: huge.setdefault("answer", call(served.query_url, data=text, headers=post)))
    thread.start()
    time.sleep(0.5)
    quick = call(f"{served.base}/api/was-adopted-in-marrakech")
    assert (quick.status, json.loads(quick.body)["boolean"]) == (200, True)
    thread.join(timeout=60)
    answer = huge["answer"]
    assert answer.status in (400, 503), answer.text  # a syntax error, or stopped at the time limit
    _one_line(answer)


def test_head_has_no_body_and_the_root_says_where_things_are(served: Served) -> None:
    head = call(f"{served.base}/api/openapi.json", method="HEAD")
    assert (head.status, head.body) == (200, b"")
    root = call(served.base + "/")
    assert root.text.startswith("gcmgraph: a read-only SPARQL endpoint at /query")


def test_serve_refuses_a_bad_bind_and_an_endpoint_in_one_line() -> None:
    from click.testing import CliRunner

    from gcmgraph.cli import main

    bad_bind = CliRunner().invoke(main, ["serve", "--bind", "7878"])
    assert (bad_bind.exit_code, bad_bind.stderr) == (2, "Error: --bind '7878': write HOST:PORT, e.g. 127.0.0.1:7878\n")
    endpoint = CliRunner().invoke(main, ["serve", "--endpoint", "http://127.0.0.1:1/query"])  # serve reads local files
    assert endpoint.exit_code == 2
    assert endpoint.stderr.startswith("Error: No such option") and endpoint.stderr.count("\n") == 1
