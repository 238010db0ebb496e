"""The graph on a SPARQL 1.1 endpoint: the same query runner over HTTP, publishing over the Graph
Store Protocol, and endpoint aliases from a config file.

Requests take the form every SPARQL 1.1 server accepts: a short query by GET, a long one by an
HTML-form POST (``application/x-www-form-urlencoded``); ``application/sparql-query`` only when an
alias asks for it (``post = "sparql-query"``), since Virtuoso 7 never answers it
(openlink/virtuoso-opensource#842). Answers are read the way real stores send them (an ASK as a
boolean, as a one-row table or as 1/0; booleans as ``xsd:boolean`` 1/0 or as integers; durations
as a bare number of months or seconds) and made standard; an answer that cannot be read, or that
the store cut short, is an error, never a default.

Queries read one graph: ``publish`` writes each file to its own named graph and also their union
to one graph, because Virtuoso 7 answers some queries over several default graphs with nothing
(openlink/virtuoso-opensource#109).

HTTP goes through httpx: only ``http``/``https``, no redirect to another scheme, credentials
(Basic or Digest, whichever the server asks for) from the environment
(``GCMGRAPH_ENDPOINT_USER``/``GCMGRAPH_ENDPOINT_PASSWORD``) or a netrc file and never sent on to
another host, bounded retries on 429/503, one deadline per request, answers bounded in size.
"""

from __future__ import annotations

import contextlib
import functools
import json
import netrc
import os
import re
import time
import tomllib
import urllib.parse
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import httpx
import pyoxigraph as ox

from .errors import RemoteError, ResultLimitError
from .formats import GRAPH, RESULTS, accept_header, by_media_type
from .limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S
from .paths import GRAPH_BASE
from .results import QueryResult, Term, from_solutions_json
from .sparql_text import boolean_variables, check_query_text, outside_features

MAX_GET_LENGTH = 2000
RETRIES = 3
MAX_REDIRECTS = 5
#: Bytes an answer may take per row (or triple) it is allowed by ``--max-rows``, plus one MiB.
BYTES_PER_ROW = 4096
MANIFEST_GRAPH = GRAPH_BASE + "manifest"
UNION_GRAPH = GRAPH_BASE + "union"
POST_FORMS = ("form", "sparql-query")
_HAS_PART = "http://purl.org/dc/terms/hasPart"
_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger"))
_DURATIONS = frozenset(_XSD + t for t in ("duration", "yearMonthDuration", "dayTimeDuration"))
_BARE_NUMBER = re.compile(r"(-?)(\d+(\.\d+)?)")
_ACCEPT_RESULTS = accept_header(RESULTS, ("json", "xml", "tsv"))
_ACCEPT_GRAPH = accept_header(GRAPH, ("nt", "turtle", "xml"))
_ALIAS_KEYS = frozenset({"url", "store", "default-graphs", "named-graphs", "post"})


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL endpoint and the dataset gcmgraph reads there.

    ``default_graphs`` None means: the graphs ``gcmgraph publish`` wrote (their union graph);
    an empty tuple means: send no dataset, use the store's own default graph. ``post`` is the
    form of a long query: ``form`` (HTML form) or ``sparql-query`` (the query as the body).
    """

    url: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] = ()
    store_url: str | None = None
    post: str = "form"


def check_url(url: str, what: str = "endpoint") -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"{what} {url!r}: only http:// and https:// URLs are allowed")
    if parts.username or parts.password:
        raise RemoteError(f"{what}: put credentials in GCMGRAPH_ENDPOINT_USER/PASSWORD or a netrc file, not in the URL")
    return url


def _config_tables(folder: Path) -> dict[str, object]:
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


def _alias(name: str, entry: object) -> Endpoint:
    if not isinstance(entry, dict) or "url" not in entry:
        raise RemoteError(f"endpoint alias {name!r} needs a 'url'")
    unknown = sorted(set(entry) - _ALIAS_KEYS)
    if unknown:
        known = ", ".join(sorted(_ALIAS_KEYS))
        raise RemoteError(f"endpoint alias {name!r}: unknown key(s) {', '.join(unknown)}; known: {known}")
    for key in ("default-graphs", "named-graphs"):
        if not isinstance(entry.get(key, []), list):
            raise RemoteError(f"endpoint alias {name!r}: '{key}' must be a list of graph IRIs")
    post = entry.get("post", "form")
    if post not in POST_FORMS:
        raise RemoteError(f"endpoint alias {name!r}: 'post' must be one of {', '.join(POST_FORMS)}")
    configured = entry.get("default-graphs")
    return Endpoint(
        url=check_url(str(entry["url"])),
        default_graphs=tuple(map(str, configured)) if configured is not None else None,
        named_graphs=tuple(map(str, entry.get("named-graphs", ()))),
        store_url=check_url(str(entry["store"]), "graph store") if "store" in entry else None,
        post=post,
    )


def resolve_endpoint(
    name: str, graphs: Sequence[str] | None = None, folder: Path | None = None, store: str | None = None
) -> Endpoint:
    """An endpoint from a URL or a configured alias; ``graphs`` overrides the default graphs and
    ``store`` the Graph Store URL."""
    aliases = _config_tables(folder or Path.cwd())
    if name in aliases:
        endpoint = _alias(name, aliases[name])
    elif "://" in name:
        endpoint = Endpoint(url=check_url(name))
    else:
        known = ", ".join(sorted(aliases)) or "none configured"
        raise RemoteError(f"endpoint {name!r} is neither a URL nor a configured alias (aliases: {known})")
    if graphs is not None:
        endpoint = replace(endpoint, default_graphs=tuple(graphs))
    if store is not None:
        endpoint = replace(endpoint, store_url=check_url(store, "graph store"))
    return endpoint


# -- HTTP ------------------------------------------------------------------------------------------


def credentials(url: str) -> tuple[str, str] | None:
    """User and password for ``url``'s host: from the environment, else from the netrc file
    (``NETRC`` names another one than ``~/.netrc``)."""
    user, password = os.environ.get("GCMGRAPH_ENDPOINT_USER"), os.environ.get("GCMGRAPH_ENDPOINT_PASSWORD")
    if user is not None:
        return user, password or ""
    try:
        found = netrc.netrc(os.environ.get("NETRC")).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None
    return (found[0], found[2] or "") if found else None


class _ChallengeAuth(httpx.Auth):
    """Basic or Digest, whichever the server's 401 challenge names; nothing is sent before it
    asks. httpx removes the Authorization header when a redirect leaves the host."""

    def __init__(self, user: str, password: str):
        self._schemes: dict[str, httpx.Auth] = {
            "basic": httpx.BasicAuth(user, password),
            "digest": httpx.DigestAuth(user, password),
        }
        self._chosen: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:  # Digest reuses the server's last challenge, so one round trip
            yield from self._schemes[self._chosen].auth_flow(request)
            return
        response = yield request
        scheme = response.headers.get("WWW-Authenticate", "").split(" ", 1)[0].lower()
        if response.status_code != 401 or scheme not in self._schemes:
            return
        self._chosen = scheme
        flow = self._schemes[scheme].auth_flow(request)
        first = next(flow)
        if scheme == "basic":
            yield first
            return
        yield flow.send(response)  # Digest answers the challenge this response carries


def _auth_hint(status: int, url: str, had_credentials: bool) -> str:
    if status != 401:
        return ""
    host = urllib.parse.urlsplit(url).hostname
    if had_credentials:
        return f" (the credentials for {host} were refused)"
    return (
        f" (no credentials for {host}: set GCMGRAPH_ENDPOINT_USER and GCMGRAPH_ENDPOINT_PASSWORD, "
        "or add the host to your netrc file)"
    )


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: httpx.Headers


def _where(url: str) -> str:
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text.splitlines()[0][:200] if text else "(empty body)"


def _refuse_scheme_change(response: httpx.Response) -> None:
    if response.has_redirect_location:
        old = response.request.url
        new = old.join(response.headers["Location"])
        if new.scheme != old.scheme:
            raise RemoteError(f"endpoint {_where(str(old))}: refused redirect from {old.scheme} to {new.scheme}")


class Session:
    """HTTP exchanges with one store: one connection pool, and the credentials of each host it
    talks to (the query and Graph Store endpoints may be on different hosts)."""

    def __init__(self) -> None:
        self._auth: dict[str, _ChallengeAuth | None] = {}
        self._client = httpx.Client(
            follow_redirects=True, max_redirects=MAX_REDIRECTS, event_hooks={"response": [_refuse_scheme_change]}
        )

    def _auth_for(self, url: str) -> _ChallengeAuth | None:
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in self._auth:
            found = credentials(url)
            self._auth[host] = _ChallengeAuth(*found) if found else None
        return self._auth[host]

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        retry: bool = False,
        max_bytes: int | None = None,
    ) -> Response:
        """One exchange within ``timeout`` seconds in all; 429/503 are retried with back-off when
        ``retry``; an answer over ``max_bytes`` is refused; every failure is one line."""
        check_url(url)
        where = _where(url)
        deadline = time.monotonic() + timeout
        late = RemoteError(f"endpoint {where}: no answer within {timeout:g} s")
        for attempt in range(RETRIES if retry else 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                auth = self._auth_for(url)
                with self._client.stream(
                    method, url, content=body, headers=headers, timeout=remaining, auth=auth
                ) as answer:
                    if retry and answer.status_code in (429, 503) and attempt + 1 < RETRIES:
                        wait = answer.headers.get("Retry-After", "")
                        delay = float(wait) if wait.isdigit() else 0.5 * 2**attempt
                        time.sleep(max(0.0, min(delay, deadline - time.monotonic(), 10.0)))
                        continue
                    failed = answer.status_code >= 400
                    payload = self._read(answer, deadline, 65536 if failed else max_bytes, where, failed)
                    if failed:
                        raise RemoteError(
                            f"endpoint {where}: HTTP {answer.status_code} {answer.reason_phrase}: "
                            f"{_first_line(payload)}{_auth_hint(answer.status_code, url, auth is not None)}"
                        )
                    kind = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                    return Response(answer.status_code, kind, payload, answer.headers)
            except httpx.TimeoutException:
                raise late from None
            except httpx.ConnectError as error:
                reason = getattr(error.__context__, "strerror", None) or str(error).split("] ")[-1]
                raise RemoteError(f"endpoint {where}: cannot connect ({reason})") from None
            except httpx.TooManyRedirects:
                raise RemoteError(f"endpoint {where}: more than {MAX_REDIRECTS} redirects") from None
            except httpx.HTTPError as error:
                raise RemoteError(f"endpoint {where}: connection failed ({error})") from None
        raise late

    @staticmethod
    def _read(answer: httpx.Response, deadline: float, limit: int | None, where: str, partial_ok: bool) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if limit is not None and size > limit:
                if partial_ok:
                    break
                raise ResultLimitError(f"endpoint {where}: answer larger than {limit} bytes (raise it with --max-rows)")
            if time.monotonic() > deadline:
                raise RemoteError(f"endpoint {where}: no complete answer within the time limit")
            chunks.append(chunk)
        return b"".join(chunks)


# -- queries ---------------------------------------------------------------------------------------


def _boolean_of(term: object) -> bool | None:
    """True or false for a literal a store uses for a boolean (``"1"^^xsd:boolean``, integer 1)."""
    if not isinstance(term, dict) or term.get("type") not in ("literal", "typed-literal"):
        return None
    value: object = term.get("value")
    datatype = term.get("datatype")
    if datatype == _XSD + "boolean":
        return {"true": True, "1": True, "false": False, "0": False}.get(str(value))
    if datatype in _INTEGERS and value in ("0", "1"):
        return value == "1"
    return None


@functools.lru_cache(maxsize=1024)  # each reading evaluates one cast; an answer repeats few values
def _iso_duration(value: str, datatype: object) -> str | None:
    """The canonical form (as Oxigraph writes it) of a duration sent as a bare number, or None.

    Virtuoso 7 keeps a duration as a number of months (a whole number) or of seconds (a decimal)
    and sends that number in SPARQL results and N-Triples (openlink/virtuoso-opensource#936); no
    duration's lexical form is a bare number, so the reading is unambiguous."""
    found = _BARE_NUMBER.fullmatch(value)
    if datatype not in _DURATIONS or found is None:
        return None
    sign, number, fraction = found.groups()
    lexical = f"{sign}PT{number}S" if fraction else f"{sign}P{number}M"
    query = f"SELECT ?lexical (<{datatype}>(?lexical) AS ?duration) WHERE {{}}"
    answer = ox.Store().query(query, substitutions={ox.Variable("lexical"): ox.Literal(lexical)})
    [solution] = cast(ox.QuerySolutions, answer)  # a SELECT query
    duration = solution["duration"]
    return duration.value if isinstance(duration, ox.Literal) else None


def _standard_object(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A triple's object as a standard store writes it (see :func:`_iso_duration`)."""
    if isinstance(term, ox.Literal) and (form := _iso_duration(term.value, term.datatype.value)) is not None:
        return ox.Literal(form, datatype=term.datatype)
    return term


def _blank_label(value: str) -> str:
    """A blank node's label as sent if it is a valid one, else one made of its hex digits
    (Virtuoso sends ``nodeID://b10006``, which no standard parser reads)."""
    try:
        ox.BlankNode(value)
    except ValueError:
        return "x" + value.encode().hex()
    return value


def _standard(term: object, boolean_column: bool) -> object:
    if isinstance(term, dict) and term.get("type") == "bnode":
        return {"type": "bnode", "value": _blank_label(str(term.get("value")))}
    if isinstance(term, dict) and (form := _iso_duration(str(term.get("value")), term.get("datatype"))) is not None:
        return {"type": "literal", "datatype": term["datatype"], "value": form}
    flag = _boolean_of(term)
    if flag is None or (not boolean_column and isinstance(term, dict) and term.get("datatype") in _INTEGERS):
        return term
    return {"type": "literal", "datatype": _XSD + "boolean", "value": "true" if flag else "false"}


def _ask_answer(document: dict[str, Any], where: str) -> bool:
    """An ASK answer as sent: a boolean, or (Virtuoso 7) a one-column table with one row holding
    1 or true, or no row at all for false."""
    boolean = document.get("boolean")
    if isinstance(boolean, bool):
        return boolean
    head, results = document.get("head"), document.get("results")
    variables = head.get("vars") if isinstance(head, dict) else None
    rows = results.get("bindings") if isinstance(results, dict) else None
    if isinstance(variables, list) and len(variables) == 1 and isinstance(rows, list) and len(rows) <= 1:
        if not rows:
            return False
        flag = _boolean_of(rows[0].get(variables[0]))
        if flag is not None:
            return flag
    raise RemoteError(f"endpoint {where}: the answer to an ASK query is neither true nor false")


def standard_results(document: dict[str, Any], form: str, booleans: frozenset[str], where: str) -> dict[str, Any]:
    """SPARQL Results JSON as a standard store sends it: ASK as a boolean, booleans as
    ``true``/``false`` (integers only where the query binds a boolean expression), durations in
    their ISO 8601 form, blank nodes with valid labels."""
    if form == "ASK":
        return {"head": {}, "boolean": _ask_answer(document, where)}
    if "boolean" in document:
        raise RemoteError(f"endpoint {where}: answered true or false to a {form} query")
    for row in document.get("results", {}).get("bindings", []):
        for name, term in row.items():
            row[name] = _standard(term, name in booleans)
    return document


@dataclass
class EndpointGraph:
    """A :class:`~gcmgraph.sources.GraphSource` that asks a SPARQL 1.1 Protocol endpoint."""

    endpoint: Endpoint
    published_graphs: Sequence[str] = field(default_factory=list)
    session: Session | None = field(default=None, repr=False)
    _manifest: Manifest | None = field(default=None, init=False, repr=False)

    @property
    def description(self) -> str:
        return self.endpoint.url

    def _session(self) -> Session:
        if self.session is None:
            self.session = Session()
        return self.session

    def _dataset_params(self, timeout: float) -> list[tuple[str, str]]:
        graphs = self.endpoint.default_graphs
        if graphs is None:
            graphs = self._published(timeout)
        params = [("default-graph-uri", g) for g in graphs]
        params += [("named-graph-uri", g) for g in self.endpoint.named_graphs]
        return params

    def _read_manifest(self, timeout: float) -> Manifest:
        """What the last ``gcmgraph publish`` recorded in the store's manifest (asked once)."""
        if self._manifest is None:
            own_default = EndpointGraph(replace(self.endpoint, default_graphs=()), session=self._session())
            self._manifest = read_manifest(own_default, timeout)
        return self._manifest

    def _published(self, timeout: float) -> tuple[str, ...]:
        """The graphs queries read by default: the last publish's union graph, else the graphs it
        lists; in a store without a manifest, the bundled files' graphs."""
        manifest = self._read_manifest(timeout)
        if manifest.union is not None:
            return (manifest.union,)
        return manifest.parts or tuple(self.published_graphs)

    def _loaded(self, timeout: float) -> tuple[str, ...]:
        """Every graph a query may name with FROM or FROM NAMED: the configured ones, or those the
        last publish wrote (each file's graph and their union)."""
        if self.endpoint.default_graphs is not None:
            return (*self.endpoint.default_graphs, *self.endpoint.named_graphs)
        manifest = self._read_manifest(timeout)
        parts = manifest.parts or tuple(self.published_graphs)
        return (*parts, *((manifest.union,) if manifest.union else ()), *self.endpoint.named_graphs)

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
        known = self._loaded(timeout or DEFAULT_TIMEOUT_S) if own_dataset else self.endpoint.named_graphs
        form = check_query_text(text, origin, known_graphs=known, allow_outside=allow_outside)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        seconds = timeout or 3600
        headers = {"Accept": _ACCEPT_GRAPH if graph else _ACCEPT_RESULTS}
        params = [] if own_dataset else self._dataset_params(seconds)
        limit = None if max_rows is None else max_rows * BYTES_PER_ROW + 2**20
        encoded = urllib.parse.urlencode([("query", text), *params])
        url, body = f"{self.endpoint.url}?{encoded}", None
        if len(encoded) > MAX_GET_LENGTH and self.endpoint.post == "sparql-query":
            headers["Content-Type"] = "application/sparql-query; charset=utf-8"
            url = f"{self.endpoint.url}?{urllib.parse.urlencode(params)}" if params else self.endpoint.url
            body = text.encode()
        elif len(encoded) > MAX_GET_LENGTH:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            url, body = self.endpoint.url, encoded.encode()
        answer = self._session().request(
            "POST" if body else "GET", url, body=body, headers=headers, timeout=seconds, retry=True, max_bytes=limit
        )
        return self._parse(answer, form, text, max_rows)

    def _parse(self, answer: Response, form: str, text: str, max_rows: int | None) -> QueryResult:
        where = self.endpoint.url
        kind = answer.content_type
        state = answer.headers.get("X-SQL-State")
        if state:  # Virtuoso's "anytime" answer: what it found before its own time limit
            message = answer.headers.get("X-SQL-Message") or state
            raise RemoteError(f"endpoint {where}: the store sent a partial answer ({message})")
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                found = by_media_type(GRAPH, kind)
                if found is None or found.rdf is None:
                    raise RemoteError(f"endpoint {where}: answered with {kind or 'no content type'}, not an RDF graph")
                triples = tuple(
                    ox.Triple(q.subject, q.predicate, _standard_object(q.object))
                    for q in ox.parse(answer.body, format=found.rdf)
                )
                if max_rows is not None and len(triples) > max_rows:
                    raise ResultLimitError(f"endpoint {where}: more than {max_rows} triples (raise it with --max-rows)")
                return QueryResult(form=form, triples=triples)
            found = by_media_type(RESULTS, kind)
            if found is None or found.results is None:
                raise RemoteError(
                    f"endpoint {where}: answered with {kind or 'no content type'}, not SPARQL results "
                    "(is this the query endpoint?)"
                )
            payload = answer.body
            if found.results != ox.QueryResultsFormat.JSON:
                solutions = ox.parse_query_results(payload, format=found.results)
                payload = cast(bytes, solutions.serialize(format=ox.QueryResultsFormat.JSON))
            document = json.loads(payload)
            if not isinstance(document, dict):
                raise RemoteError(f"endpoint {where}: answer is not SPARQL results JSON")
            standard = standard_results(document, form, boolean_variables(text), where)
            result = from_solutions_json(form, json.dumps(standard).encode())
        except SyntaxError as error:
            raise RemoteError(f"endpoint {where}: answer is not valid {kind} ({error.msg or error})") from None
        except (ValueError, AttributeError, TypeError) as error:
            raise RemoteError(f"endpoint {where}: answer is not valid {kind} ({error})") from None
        cut = answer.headers.get("X-SPARQL-MaxRows", "")
        if cut.isdigit() and len(result.rows) >= int(cut):
            raise RemoteError(
                f"endpoint {where}: the store cut the answer at {cut} rows (its own result limit, "
                "ResultSetMaxRows in Virtuoso's [SPARQL] settings)"
            )
        if max_rows is not None and len(result.rows) > max_rows:
            raise ResultLimitError(f"endpoint {where}: more than {max_rows} rows (raise it with --max-rows)")
        return result


# -- publish over the Graph Store Protocol -------------------------------------------------------

CHUNK_TRIPLES = 50_000


@dataclass(frozen=True)
class Manifest:
    """What the last publish recorded: the graphs it wrote and, if it wrote one, their union."""

    parts: tuple[str, ...] = ()
    union: str | None = None


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
    union: PublishedGraph | None = None


def _ntriples(triples: Sequence[ox.Triple]) -> bytes:
    return cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


def _triples(quads: Sequence[ox.Quad]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _chunks(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Pieces of at most CHUNK_TRIPLES; a graph with blank nodes goes whole (labels are per request)."""
    blank = any(isinstance(t, ox.BlankNode) for x in triples for t in (x.subject, x.object))
    if len(triples) <= CHUNK_TRIPLES or blank:
        return [triples]
    return [triples[i : i + CHUNK_TRIPLES] for i in range(0, len(triples), CHUNK_TRIPLES)]


def graph_store_url(endpoint: Endpoint) -> str:
    """The Graph Store endpoint: given (``--store`` or the alias), or Oxigraph's ``/store`` beside ``/query``."""
    if endpoint.store_url:
        return endpoint.store_url
    if endpoint.url.endswith("/query"):
        return endpoint.url[: -len("/query")] + "/store"
    return endpoint.url


def _graph_url(store_url: str, graph: str) -> str:
    return f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"


def _count(reader: EndpointGraph, graph: str, timeout: float) -> int:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    rows = reader.query(text, timeout=timeout, origin="publish").rows
    count = rows[0][0] if rows else None
    if count is None:
        return 0
    if not isinstance(count, ox.Triple):  # an endpoint may send anything; a triple term is no number either
        with contextlib.suppress(ValueError):
            return int(count.value)
    raise RemoteError(f"endpoint {reader.endpoint.url}: counted {count} triples, not a number")


def _text(term: Term | None) -> str | None:
    """An answer's IRI, blank-node label or lexical form; None for an unbound cell or a triple term."""
    return None if term is None or isinstance(term, ox.Triple) else term.value


def read_manifest(reader: EndpointGraph, timeout: float) -> Manifest:
    """The manifest graph of the last publish; the union graph counts only if it is made of
    exactly the graphs the manifest lists (an older publish may have written none)."""
    text = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ ?s ?p ?o }} }}"
    rows = reader.query(text, timeout=timeout, origin="publish").rows
    triples = [(_text(s), _text(p), _text(o)) for s, p, o in rows]
    parts = tuple(sorted(o for s, p, o in triples if s == MANIFEST_GRAPH and p == _HAS_PART and o is not None))
    sources = tuple(sorted(o for s, p, o in triples if s == UNION_GRAPH and p == _DERIVED_FROM and o is not None))
    return Manifest(parts, UNION_GRAPH if parts and sources == parts else None)


def _fetch(session: Session, store_url: str, graph: str, timeout: float) -> list[ox.Triple]:
    """A graph as the store holds it, read over the Graph Store Protocol."""
    answer = session.request("GET", _graph_url(store_url, graph), headers={"Accept": _ACCEPT_GRAPH}, timeout=timeout)
    found = by_media_type(GRAPH, answer.content_type)
    if found is None or found.rdf is None:
        raise RemoteError(f"graph store {store_url}: sent <{graph}> as {answer.content_type or 'no content type'}")
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(answer.body, format=found.rdf)]
    except SyntaxError as error:
        raise RemoteError(f"graph store {store_url}: <{graph}> is not valid {answer.content_type} ({error})") from None


def publish(
    endpoint: Endpoint,
    graphs: dict[str, list[ox.Quad]],
    *,
    replace: bool = False,
    dry_run: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[str, int, int], None] | None = None,
) -> PublishReport:
    """Write each named graph with PUT (replacing that graph only) and their union to one more
    graph, record them in a manifest graph, then count each graph back; with ``replace`` also
    delete graphs an earlier publish wrote that are no longer part of the graph."""
    store_url = check_url(graph_store_url(endpoint), "graph store")
    session = Session()
    try:
        return _publish(session, endpoint, store_url, graphs, replace, dry_run, timeout, progress)
    finally:
        session.close()


def _publish(
    session: Session,
    endpoint: Endpoint,
    store_url: str,
    graphs: dict[str, list[ox.Quad]],
    replace: bool,
    dry_run: bool,
    timeout: float,
    progress: Callable[[str, int, int], None] | None,
) -> PublishReport:
    reader = EndpointGraph(Endpoint(endpoint.url, default_graphs=()), session=session)
    earlier = read_manifest(reader, timeout).parts
    removed = [g for g in earlier if g not in graphs] if replace else []
    # Without --replace the graphs of earlier publishes stay, so the manifest and the union keep them.
    kept = [] if replace else [g for g in earlier if g not in graphs]
    if dry_run:
        return PublishReport(
            store_url, tuple(PublishedGraph(g, len(q), None) for g, q in graphs.items()), tuple(removed), True
        )
    contents = {graph: _triples(quads) for graph, quads in graphs.items()}
    union = list(dict.fromkeys(t for triples in contents.values() for t in triples))
    for graph in kept:
        union = list(dict.fromkeys([*union, *_fetch(session, store_url, graph, timeout)]))
    total = sum(len(t) for t in contents.values()) + len(union)
    done = 0
    for graph, triples in [*contents.items(), (UNION_GRAPH, union)]:
        for number, piece in enumerate(_chunks(triples)):
            method = "PUT" if number == 0 else "POST"
            session.request(
                method,
                _graph_url(store_url, graph),
                body=_ntriples(piece),
                headers={"Content-Type": "application/n-triples"},
                timeout=timeout,
            )
            done += len(piece)
            if progress:
                progress(graph, done, total)
    for graph in removed:
        session.request("DELETE", _graph_url(store_url, graph), timeout=timeout)
    listed = sorted(set(graphs) | set(kept))
    manifest = [ox.Triple(ox.NamedNode(MANIFEST_GRAPH), ox.NamedNode(_HAS_PART), ox.NamedNode(g)) for g in listed]
    manifest += [ox.Triple(ox.NamedNode(UNION_GRAPH), ox.NamedNode(_DERIVED_FROM), ox.NamedNode(g)) for g in listed]
    session.request(
        "PUT",
        _graph_url(store_url, MANIFEST_GRAPH),
        body=_ntriples(manifest),
        headers={"Content-Type": "application/n-triples"},
        timeout=timeout,
    )
    checked = tuple(PublishedGraph(g, len(t), _count(reader, g, timeout)) for g, t in contents.items())
    union_checked = PublishedGraph(UNION_GRAPH, len(union), _count(reader, UNION_GRAPH, timeout))
    wrong = [g for g in (*checked, union_checked) if g.found != g.sent]
    if wrong:
        detail = "; ".join(f"{g.graph}: sent {g.sent}, store holds {g.found}" for g in wrong)
        raise RemoteError(f"graph store {store_url}: counts differ after publishing ({detail})")
    return PublishReport(store_url, checked, tuple(removed), False, union_checked)
