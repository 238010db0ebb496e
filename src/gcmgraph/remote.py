"""The graph on a SPARQL 1.1 endpoint: the same query runner over HTTP, publishing over the Graph
Store Protocol, and endpoint aliases from a config file.

Only ``http``/``https`` URLs; redirects never change the scheme. Credentials come from the
environment (``GCMGRAPH_ENDPOINT_USER``/``GCMGRAPH_ENDPOINT_PASSWORD``) or a netrc file, never
from the command line, and never appear in a message. Every HTTP error is one clear line.
"""

from __future__ import annotations

import base64
import netrc
import os
import socket
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import RemoteError, ResultLimitError
from .formats import GRAPH, RESULTS, accept_header, by_media_type
from .limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S
from .paths import GRAPH_BASE
from .results import QueryResult, from_solutions_json
from .sparql_text import check_query_text, outside_features

MAX_GET_LENGTH = 2000
RETRIES = 3
MANIFEST_GRAPH = GRAPH_BASE + "manifest"
_HAS_PART = "http://purl.org/dc/terms/hasPart"
_ACCEPT_RESULTS = accept_header(RESULTS, ("json", "xml", "tsv"))
_ACCEPT_GRAPH = accept_header(GRAPH, ("nt", "turtle", "xml"))


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL endpoint and the dataset gcmgraph reads there.

    ``default_graphs`` None means: the graphs ``gcmgraph publish`` writes (the bundle's files);
    an empty tuple means: send no dataset, use the store's own default graph.
    """

    url: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] = ()
    store_url: str | None = None


def check_url(url: str, what: str = "endpoint") -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"{what} {url!r}: only http:// and https:// URLs are allowed")
    if parts.username or parts.password:
        raise RemoteError(f"{what}: put credentials in GCMGRAPH_ENDPOINT_USER/PASSWORD or a netrc file, not in the URL")
    return url


def _config_tables(folder: Path) -> dict[str, dict]:
    """Endpoint aliases from ``gcmgraph.toml`` or ``[tool.gcmgraph]`` in ``pyproject.toml``."""
    for name, path in (("gcmgraph.toml", ()), ("pyproject.toml", ("tool", "gcmgraph"))):
        candidate = folder / name
        if not candidate.is_file():
            continue
        try:
            table = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
            raise RemoteError(f"{name}: not valid TOML ({error})") from None
        for key in path:
            table = table.get(key, {}) if isinstance(table, dict) else {}
        endpoints = table.get("endpoints") if isinstance(table, dict) else None
        if endpoints is not None:
            if not isinstance(endpoints, dict):
                raise RemoteError(f"{name}: 'endpoints' must be a table of aliases ([endpoints.NAME])")
            return dict(endpoints)
    return {}


def resolve_endpoint(name: str, graphs: Sequence[str] | None = None, folder: Path | None = None) -> Endpoint:
    """An endpoint from a URL or a configured alias; ``graphs`` overrides the default graphs."""
    aliases = _config_tables(folder or Path.cwd())
    if name in aliases:
        entry = aliases[name]
        if not isinstance(entry, dict) or "url" not in entry:
            raise RemoteError(f"endpoint alias {name!r} needs a 'url'")
        configured = entry.get("default-graphs")
        for key in ("default-graphs", "named-graphs"):
            if not isinstance(entry.get(key, []), list):
                raise RemoteError(f"endpoint alias {name!r}: '{key}' must be a list of graph IRIs")
        endpoint = Endpoint(
            url=check_url(str(entry["url"])),
            default_graphs=tuple(map(str, configured)) if configured is not None else None,
            named_graphs=tuple(map(str, entry.get("named-graphs", ()))),
            store_url=check_url(str(entry["store"]), "graph store") if "store" in entry else None,
        )
    elif "://" in name:
        endpoint = Endpoint(url=check_url(name))
    else:
        known = ", ".join(sorted(aliases)) or "none configured"
        raise RemoteError(f"endpoint {name!r} is neither a URL nor a configured alias (aliases: {known})")
    if graphs is not None:
        endpoint = Endpoint(endpoint.url, tuple(graphs), endpoint.named_graphs, endpoint.store_url)
    return endpoint


class _NoSchemeChange(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if new.scheme != old.scheme:
            raise RemoteError(f"endpoint {req.full_url}: refused redirect from {old.scheme} to {new.scheme}")
        if new.netloc != old.netloc:
            req.headers.pop("Authorization", None)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_NoSchemeChange)


def _credentials(url: str) -> str | None:
    user, password = os.environ.get("GCMGRAPH_ENDPOINT_USER"), os.environ.get("GCMGRAPH_ENDPOINT_PASSWORD")
    if user is None:
        try:
            found = netrc.netrc().authenticators(urllib.parse.urlsplit(url).hostname or "")
        except (FileNotFoundError, netrc.NetrcParseError, OSError):
            found = None
        if found:
            user, _, password = found
    if user is None:
        return None
    return "Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode()


@dataclass
class _Response:
    status: int
    content_type: str
    body: bytes


def _media_type(header: str | None) -> str:
    return (header or "").split(";")[0].strip().lower()


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text.splitlines()[0][:200] if text else "(empty body)"


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    retry: bool = False,
) -> _Response:
    """One HTTP exchange with a deadline; retries 429/503 with back-off when ``retry``."""
    check_url(url)
    where = urllib.parse.urlsplit(url)._replace(query="").geturl()
    deadline = time.monotonic() + timeout
    headers = dict(headers or {})
    auth = _credentials(url)
    if auth:
        headers["Authorization"] = auth
    for attempt in range(RETRIES if retry else 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with _OPENER.open(req, timeout=remaining) as answer:
                chunks = []
                while chunk := answer.read(65536):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise RemoteError(f"endpoint {where}: no complete answer within {timeout:g} s")
                return _Response(answer.status, _media_type(answer.headers.get("Content-Type")), b"".join(chunks))
        except urllib.error.HTTPError as error:
            payload = error.read() if error.fp else b""
            if retry and error.code in (429, 503) and attempt + 1 < RETRIES:
                wait = error.headers.get("Retry-After", "")
                delay = float(wait) if wait.isdigit() else 0.5 * 2**attempt
                time.sleep(max(0.0, min(delay, deadline - time.monotonic(), 10.0)))
                continue
            raise RemoteError(f"endpoint {where}: HTTP {error.code} {error.reason}: {_first_line(payload)}") from None
        except TimeoutError:
            raise RemoteError(f"endpoint {where}: no answer within {timeout:g} s") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise RemoteError(f"endpoint {where}: no answer within {timeout:g} s") from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise RemoteError(f"endpoint {where}: cannot connect ({text})") from None
        except (ConnectionError, OSError) as error:
            raise RemoteError(f"endpoint {where}: connection failed ({error.strerror or error})") from None
    raise RemoteError(f"endpoint {where}: no answer within {timeout:g} s")


@dataclass
class EndpointGraph:
    """A :class:`~gcmgraph.sources.GraphSource` that asks a SPARQL 1.1 Protocol endpoint."""

    endpoint: Endpoint
    published_graphs: Sequence[str] = field(default_factory=list)
    _manifest_graphs: tuple[str, ...] | None = field(default=None, init=False, repr=False)

    @property
    def description(self) -> str:
        return self.endpoint.url

    def _dataset_params(self, timeout: float) -> list[tuple[str, str]]:
        graphs = self.endpoint.default_graphs
        if graphs is None:
            graphs = self._published(timeout)
        params = [("default-graph-uri", g) for g in graphs]
        params += [("named-graph-uri", g) for g in self.endpoint.named_graphs]
        return params

    def _published(self, timeout: float) -> tuple[str, ...]:
        """The graphs the last ``gcmgraph publish`` listed in the store's manifest (asked once),
        or, in a store without one, the graph names of the bundled files."""
        if self._manifest_graphs is None:
            listed = _manifest(EndpointGraph(Endpoint(self.endpoint.url, default_graphs=())), timeout)
            self._manifest_graphs = tuple(listed) or tuple(self.published_graphs)
        return self._manifest_graphs

    def query(
        self,
        text: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        allow_outside: bool = False,
        origin: str = "query",
    ) -> QueryResult:
        # A query that names its own dataset (FROM, FROM NAMED) reads exactly those graphs, as it
        # does locally: the protocol's dataset parameters would override it, so none are sent.
        own_dataset = any(f.keyword.startswith("FROM") for f in outside_features(text))
        known = self.endpoint.named_graphs
        if own_dataset:
            known = (*known, *(self.endpoint.default_graphs or self._published(timeout or DEFAULT_TIMEOUT_S)))
        form = check_query_text(text, origin, known_graphs=known, allow_outside=allow_outside)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        headers = {"Accept": _ACCEPT_GRAPH if graph else _ACCEPT_RESULTS}
        params = [] if own_dataset else self._dataset_params(timeout or DEFAULT_TIMEOUT_S)
        encoded = urllib.parse.urlencode([("query", text), *params])
        if len(encoded) <= MAX_GET_LENGTH:
            answer = request(
                "GET", f"{self.endpoint.url}?{encoded}", headers=headers, timeout=timeout or 3600, retry=True
            )
        else:
            headers["Content-Type"] = "application/sparql-query; charset=utf-8"
            url = f"{self.endpoint.url}?{urllib.parse.urlencode(params)}" if params else self.endpoint.url
            answer = request("POST", url, body=text.encode(), headers=headers, timeout=timeout or 3600, retry=True)
        return self._parse(answer, form, graph, max_rows)

    def _parse(self, answer: _Response, form: str, graph: bool, max_rows: int | None) -> QueryResult:
        where = self.endpoint.url
        kind = answer.content_type
        try:
            if graph:
                found = by_media_type(GRAPH, kind)
                rdf_format = found.rdf if found is not None else None
                if rdf_format is None:
                    raise RemoteError(f"endpoint {where}: answered with {kind or 'no content type'}, not an RDF graph")
                triples = tuple(
                    ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(answer.body, format=rdf_format)
                )
                if max_rows is not None and len(triples) > max_rows:
                    raise ResultLimitError(f"endpoint {where}: more than {max_rows} triples (raise it with --max-rows)")
                return QueryResult(form=form, triples=triples)
            found = by_media_type(RESULTS, kind)
            results_format = found.results if found is not None else None
            if results_format is None:
                raise RemoteError(
                    f"endpoint {where}: answered with {kind or 'no content type'}, not SPARQL results "
                    "(is this the query endpoint?)"
                )
            payload = answer.body
            if results_format != ox.QueryResultsFormat.JSON:
                payload = ox.parse_query_results(payload, format=results_format).serialize(
                    format=ox.QueryResultsFormat.JSON
                )
            result = from_solutions_json(form, payload)
        except SyntaxError as error:
            raise RemoteError(f"endpoint {where}: answer is not valid {kind} ({error.msg or error})") from None
        if max_rows is not None and len(result.rows) > max_rows:
            raise ResultLimitError(f"endpoint {where}: more than {max_rows} rows (raise it with --max-rows)")
        return result


# -- publish over the Graph Store Protocol -------------------------------------------------------

CHUNK_TRIPLES = 50_000


@dataclass(frozen=True)
class PublishedGraph:
    graph: str
    sent: int
    found: int | None


@dataclass(frozen=True)
class PublishReport:
    store_url: str
    graphs: tuple[PublishedGraph, ...]
    removed: tuple[str, ...]
    dry_run: bool


def _ntriples(quads: Sequence[ox.Quad]) -> bytes:
    return ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)


def _chunks(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """Pieces of at most CHUNK_TRIPLES; a graph with blank nodes goes whole (labels are per request)."""
    if len(quads) <= CHUNK_TRIPLES or any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        return [quads]
    return [quads[i : i + CHUNK_TRIPLES] for i in range(0, len(quads), CHUNK_TRIPLES)]


def graph_store_url(endpoint: Endpoint) -> str:
    """The Graph Store endpoint: configured, or Oxigraph's ``/store`` beside ``/query``."""
    if endpoint.store_url:
        return endpoint.store_url
    if endpoint.url.endswith("/query"):
        return endpoint.url[: -len("/query")] + "/store"
    return endpoint.url


def _graph_url(store_url: str, graph: str) -> str:
    return f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"


def _count(query_graph: EndpointGraph, graph: str, timeout: float) -> int:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    result = query_graph.query(text, timeout=timeout, origin="publish")
    return int(result.rows[0][0].value) if result.rows and result.rows[0][0] is not None else 0


def _manifest(query_graph: EndpointGraph, timeout: float) -> list[str]:
    text = f"SELECT ?g WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> <{_HAS_PART}> ?g }} }} ORDER BY ?g"
    return [row[0].value for row in query_graph.query(text, timeout=timeout, origin="publish").rows]


def publish(
    endpoint: Endpoint,
    graphs: dict[str, list[ox.Quad]],
    *,
    replace: bool = False,
    dry_run: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[str, int, int], None] | None = None,
) -> PublishReport:
    """Write each named graph with PUT (replacing that graph only), record them in a manifest
    graph, then count each graph back; with ``replace`` also delete graphs an earlier publish
    wrote that are no longer part of the graph."""
    store_url = check_url(graph_store_url(endpoint), "graph store")
    reader = EndpointGraph(Endpoint(endpoint.url, default_graphs=()))
    earlier = _manifest(reader, timeout)
    removed = [g for g in earlier if g not in graphs] if replace else []
    if dry_run:
        return PublishReport(
            store_url, tuple(PublishedGraph(g, len(q), None) for g, q in graphs.items()), tuple(removed), True
        )
    total = sum(len(q) for q in graphs.values())
    done = 0
    for graph, quads in graphs.items():
        for number, piece in enumerate(_chunks(quads)):
            method = "PUT" if number == 0 else "POST"
            request(method, _graph_url(store_url, graph), body=_ntriples(piece),
                    headers={"Content-Type": "application/n-triples"}, timeout=timeout)  # fmt: skip
            done += len(piece)
            if progress:
                progress(graph, done, total)
    for graph in removed:
        request("DELETE", _graph_url(store_url, graph), timeout=timeout)
    # Without --replace the graphs of earlier publishes stay, so the manifest keeps naming them.
    listed = sorted(set(graphs) | (set() if replace else set(earlier)))
    manifest = [ox.Quad(ox.NamedNode(MANIFEST_GRAPH), ox.NamedNode(_HAS_PART), ox.NamedNode(g)) for g in listed]
    request("PUT", _graph_url(store_url, MANIFEST_GRAPH), body=_ntriples(manifest),
            headers={"Content-Type": "application/n-triples"}, timeout=timeout)  # fmt: skip
    checked = tuple(PublishedGraph(g, len(q), _count(reader, g, timeout)) for g, q in graphs.items())
    wrong = [g for g in checked if g.found != g.sent]
    if wrong:
        detail = "; ".join(f"{g.graph}: sent {g.sent}, store holds {g.found}" for g in wrong)
        raise RemoteError(f"graph store {store_url}: counts differ after publishing ({detail})")
    return PublishReport(store_url, checked, tuple(removed), False)
