"""The graph over HTTP: a read-only SPARQL 1.1 Protocol endpoint and the stored-query catalogue
as a web API with its OpenAPI 3 document.

Every request is untrusted. This module reads it (within the size limits below), refuses what it
can with a one-line reason, and hands an engine (:mod:`gcmgraph.serve`) a
:class:`~gcmgraph.worker.Job`: the query text (which the engine's worker confines with
:func:`gcmgraph.guard.confine` before evaluating it), the dataset, and the result format chosen by
content negotiation over the one table of formats (:mod:`gcmgraph.formats`). It is a plain WSGI
application, so any WSGI server can run it; ``gcmgraph serve`` uses waitress.

Routes: ``/query`` (and ``/sparql``) take the GET and POST forms of the protocol; ``/api/NAME``
runs a stored query with its parameters bound as RDF terms by :func:`gcmgraph.queries.bind`;
``/api/openapi.json`` describes them. Nothing else is served: no files, no listings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qsl

from . import __version__
from .errors import GcmgraphError, QueryFileError, RequestError
from .formats import GRAPH, RESULTS, Format, find, formats, names
from .lexical import XSD
from .queries import StoredQuery, bind, gathered_columns
from .worker import KIND_WORDS, Job, Reply, not_acceptable

#: Largest request body (a query sent by POST), in bytes.
MAX_BODY_BYTES = 1_000_000
#: Longest request target (path and query string), in characters.
MAX_URL_CHARS = 16_384
#: Most request header fields.
MAX_HEADERS = 64
#: The result format when the client states no preference: JSON.
DEFAULT_FORMAT = {RESULTS: "json", GRAPH: "json-ld"}
SPARQL_PATHS = ("/query", "/sparql")
OPENAPI_PATH = "/api/openapi.json"
_RESERVED = "format"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class Engine(Protocol):
    """Anything that answers a :class:`Job` within its own time, size and memory limits."""

    def answer(self, job: Job) -> Reply: ...


# -- content negotiation -----------------------------------------------------------------------


def _media_ranges(accept: str) -> list[tuple[str, float, int]]:
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(accept.split(",")[:64]):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality, index))
    return ranges


def negotiate(kind: str, accept: str | None) -> Format | None:
    """The format of ``kind`` an Accept header prefers (RFC 9110: the most specific matching
    range gives a format its quality; ties go to the default, then to the client's order), or
    ``None`` when it accepts none. No header, or an empty one, means the default (JSON)."""
    default = find(kind, DEFAULT_FORMAT[kind])
    if not accept or not accept.strip():
        return default
    ranges = _media_ranges(accept)
    best: tuple[tuple[float, int, int, int], Format] | None = None
    for position, fmt in enumerate(formats(kind)):
        for media in fmt.media_types:
            matches = [
                (2 if rng == media else 1 if rng != "*/*" else 0, quality, index)
                for rng, quality, index in ranges
                if rng in (media, "*/*") or (rng.endswith("/*") and media.startswith(rng[:-1]))
            ]
            if not matches:
                continue
            _, quality, index = max(matches, key=lambda m: (m[0], m[1]))
            if quality <= 0:
                continue
            score = (quality, int(fmt is default), -index, -position)
            if best is None or score > best[0]:
                best = (score, fmt)
    return best[1] if best else None


# -- requests ----------------------------------------------------------------------------------


def _pairs(raw: bytes) -> list[tuple[str, str]]:
    """``name=value`` pairs of a query string or form body, percent-decoded as strict UTF-8."""
    try:
        return parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=256
        )
    except UnicodeError:
        raise RequestError(400, "the request is not UTF-8 text") from None
    except ValueError:
        raise RequestError(400, "too many parameters in the request") from None


def _body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise RequestError(400, "Content-Length is not a number") from None
    if length > MAX_BODY_BYTES:
        raise RequestError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _query_string(environ: dict[str, Any]) -> bytes:
    return str(environ.get("QUERY_STRING", "")).encode("latin-1")


def _one(params: Sequence[tuple[str, str]], name: str, what: str) -> str | None:
    values = [value for key, value in params if key == name]
    if len(values) > 1:
        raise RequestError(400, f"give {what} once, not {len(values)} times")
    return values[0] if values else None


def sparql_job(environ: dict[str, Any], known_graphs: Collection[str], accept: str | None) -> Job:
    """A SPARQL 1.1 Protocol request (GET; POST as a form or as ``application/sparql-query``)
    turned into a job; a :class:`RequestError` says why not."""
    params = _pairs(_query_string(environ))
    if environ["REQUEST_METHOD"] == "POST":
        kind = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
        body = _body(environ)
        if kind == "application/x-www-form-urlencoded":
            params += _pairs(body)
        elif kind == "application/sparql-query":
            if any(key == "query" for key, _ in params):
                raise RequestError(400, "the query is both in the URL and in the body; send it once")
            try:
                params.append(("query", body.decode("utf-8")))
            except UnicodeDecodeError:
                raise RequestError(400, "the query is not UTF-8 text") from None
        elif kind == "application/sparql-update":
            raise RequestError(400, "SPARQL Update is refused: this server only reads")
        else:
            raise RequestError(
                415, f"Content-Type '{kind[:100]}': send application/sparql-query or application/x-www-form-urlencoded"
            )
    keys = {key for key, _ in params}
    if keys & {"update", "using-graph-uri", "using-named-graph-uri"}:
        raise RequestError(400, "SPARQL Update is refused: this server only reads")
    text = _one(params, "query", "query=")
    if text is None:
        raise RequestError(400, "no query: send query=... (SPARQL 1.1 Protocol), e.g. /query?query=ASK%7B%7D")
    default_graphs = tuple(value for key, value in params if key == "default-graph-uri")
    named_graphs = tuple(value for key, value in params if key == "named-graph-uri")
    for graph in (*default_graphs, *named_graphs):
        if graph not in known_graphs:
            raise RequestError(
                400,
                f"graph <{graph[:200]}> is not loaded; loaded graphs: "
                + " ".join(f"<{g}>" for g in sorted(known_graphs)),
            )
    chosen = _one(params, _RESERVED, "format=")
    by_name = {kind: find(kind, chosen) if chosen else None for kind in (RESULTS, GRAPH)}
    if chosen and not any(by_name.values()):
        raise RequestError(
            400,
            f"format={chosen[:50]} is not a format; use one of "
            + ", ".join(dict.fromkeys(names(RESULTS) + names(GRAPH))),
        )
    chosen_results = by_name[RESULTS] or negotiate(RESULTS, accept)
    chosen_graph = by_name[GRAPH] or negotiate(GRAPH, accept)
    return Job(
        text=text,
        origin="query",
        accept=accept or "",
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        results_format=chosen_results.name if chosen_results else None,
        graph_format=chosen_graph.name if chosen_graph else None,
    )


def api_job(query: StoredQuery, environ: dict[str, Any], accept: str | None) -> Job | Reply:
    """``GET /api/NAME?param=value``: the stored query with its parameters bound as terms."""
    params: dict[str, list[str]] = {}
    for key, value in _pairs(_query_string(environ)):
        params.setdefault(key, []).append(value)
    kind = _kind(query)
    wanted = params.pop(_RESERVED, None)
    if wanted is not None:
        if len(wanted) > 1:
            raise RequestError(400, "give format= once")
        chosen = find(kind, wanted[0])
        if chosen is None:
            raise RequestError(
                400, f"format={wanted[0][:50]} does not fit {KIND_WORDS[kind]}; use one of {', '.join(names(kind))}"
            )
    else:
        chosen = negotiate(kind, accept)
        if chosen is None:
            return not_acceptable(kind, accept or "")
    text = bind(query, params)
    return Job(
        text=text,
        gathered=gathered_columns(text),
        origin=f"query '{query.name}'",
        accept=accept or "",
        results_format=chosen.name if kind == RESULTS else None,
        graph_format=chosen.name if kind == GRAPH else None,
    )


# -- the OpenAPI document ----------------------------------------------------------------------


def _kind(query: StoredQuery) -> str:
    return GRAPH if query.form in ("CONSTRUCT", "DESCRIBE") else RESULTS


_XSD_SCHEMA = {
    "integer": {"type": "integer"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "decimal": {"type": "number"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
}


def _typed(value: str, schema: dict[str, Any]) -> Any:
    """A header value as the JSON type the schema names (so defaults and examples validate)."""
    try:
        if schema["type"] == "integer":
            return int(value)
        if schema["type"] == "number":
            return float(value)
    except ValueError:
        return value
    if schema["type"] == "boolean":
        return value.strip().lower() in ("true", "1")
    return value


def _parameter(query: StoredQuery, param: Any) -> dict[str, Any]:
    if param.kind == "typed" and param.datatype:
        item: dict[str, Any] = dict(_XSD_SCHEMA.get(param.datatype.removeprefix(XSD), {"type": "string"}))
    else:
        item = {"type": "string"}
    if param.allowed:
        item["enum"] = [_typed(v, item) for v in param.allowed]
    what = {
        "iri": "An IRI, or a prefixed name such as place:vienna",
        "lang": f"Text in the language '{param.language}'",
        "typed": f"A value of type {param.type_label}",
    }.get(param.kind, "Text")
    schema: dict[str, Any] = {"type": "array", "items": item}
    if param.default:
        schema["default"] = [_typed(v, item) for v in param.default]
    spec: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": param.required and not param.default,
        "description": f"{what}; repeat it for several values. Bound as an RDF term, never pasted into the text.",
        "style": "form",
        "explode": True,
        "schema": schema,
    }
    if param.example is not None:
        spec["example"] = [_typed(param.example, item)]
    return spec


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def _operation(query: StoredQuery) -> dict[str, Any]:
    kind = _kind(query)
    if any(p.name == _RESERVED for p in query.parameters):
        raise QueryFileError(query.display_path, f"the parameter name '{_RESERVED}' is reserved by the web API")
    content = {}
    for fmt in formats(kind):
        is_json = fmt.media_type.endswith("json")
        content[fmt.media_type] = {"schema": {"type": "object"} if is_json else {"type": "string"}}
    return {
        "operationId": re.sub(r"-(.)", lambda m: m.group(1).upper(), query.name),
        "summary": query.summary,
        "description": query.description or query.summary,
        "tags": list(query.tags),
        "parameters": [_parameter(query, p) for p in query.parameters]
        + [
            {
                "name": _RESERVED,
                "in": "query",
                "required": False,
                "description": "The result format, by name; when absent, the Accept header chooses (JSON by default).",
                "schema": {"type": "string", "enum": list(names(kind)), "default": DEFAULT_FORMAT[kind]},
            }
        ],
        "responses": {
            "200": {"description": f"The answer ({query.form}), in the format asked for.", "content": content},
            "400": _error_response("A parameter is missing, unknown or of the wrong type (one line)."),
            "406": _error_response("No format of this answer matches the Accept header (one line)."),
            "503": _error_response("The query ran past the server's time limit, or all workers are busy (one line)."),
            "507": _error_response("The answer is larger than the server's size or memory limit (one line)."),
        },
    }


def openapi_document(queries: Iterable[StoredQuery]) -> dict[str, Any]:
    """The OpenAPI 3 document of the catalogue: one ``GET /api/NAME`` operation per stored query,
    generated from its header (summary, description, tags, parameters with their types,
    defaults, allowed values and examples) and the result formats it can be written in."""
    queries = list(queries)
    tags = sorted({tag for query in queries for tag in query.tags})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "gcmgraph stored queries",
            "version": __version__,
            "description": "The stored SPARQL queries of gcmgraph, a knowledge graph of the Global Compact for "
            "Safe, Orderly and Regular Migration, as a read-only web API. Parameters are bound as RDF terms. "
            "Every fact names the document it comes from.",
            "license": {"name": "CC BY 4.0 (data and queries)", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": {f"/api/{query.name}": {"get": _operation(query)} for query in queries},
    }


# -- the application ---------------------------------------------------------------------------


def _status_of(error: GcmgraphError) -> int:
    return error.status if isinstance(error, RequestError) else 400


def _respond(reply: Reply, start_response: Callable[..., Any], extra: Sequence[tuple[str, str]] = ()) -> list[bytes]:
    phrase = HTTPStatus(reply.status).phrase
    headers = [
        ("Content-Type", reply.media_type),
        ("Content-Length", str(len(reply.body))),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        *extra,
    ]
    start_response(f"{reply.status} {phrase}", headers)
    return [reply.body]


def make_app(
    engine: Engine, queries: Iterable[StoredQuery], known_graphs: Collection[str]
) -> Callable[..., list[bytes]]:
    """The WSGI application over an engine, the stored queries and the names of the loaded graphs."""
    catalogue = {query.name: query for query in queries}
    graphs = frozenset(known_graphs)
    document = (json.dumps(openapi_document(catalogue.values()), ensure_ascii=False, indent=2) + "\n").encode()
    index = (
        "gcmgraph: a read-only SPARQL endpoint at /query (SPARQL 1.1 Protocol) and the stored queries "
        f"at /api/NAME, described by {OPENAPI_PATH}\n"
    ).encode()

    def route(environ: dict[str, Any]) -> tuple[Reply, tuple[str, ...]]:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        target = len(path) + len(str(environ.get("QUERY_STRING", "")))
        if target > MAX_URL_CHARS:
            raise RequestError(414, f"the URL is longer than {MAX_URL_CHARS} characters; send the query by POST")
        if sum(1 for key in environ if key.startswith("HTTP_")) > MAX_HEADERS:
            raise RequestError(431, f"more than {MAX_HEADERS} header fields")
        accept = environ.get("HTTP_ACCEPT")
        if path not in (*SPARQL_PATHS, "/") and not path.startswith("/api/"):
            raise RequestError(404, f"nothing at '{path[:100]}'; try /query or {OPENAPI_PATH}")
        allowed = ("GET", "HEAD", "POST") if path in SPARQL_PATHS else ("GET", "HEAD")
        if method not in allowed:
            return Reply.error(405, f"{method[:20]} is not allowed here; use {' or '.join(allowed)}"), allowed
        job: Job | Reply
        if path in SPARQL_PATHS:
            job = sparql_job(environ, graphs, accept)
        elif path == OPENAPI_PATH:
            return Reply(200, "application/json", document), ()
        elif path == "/":
            return Reply(200, "text/plain; charset=utf-8", index), ()
        elif path.startswith("/api/") and _NAME.fullmatch(path[5:]) and path[5:] in catalogue:
            job = api_job(catalogue[path[5:]], environ, accept)
        else:
            raise RequestError(404, f"no stored query '{path[5:][:100]}'; the catalogue is at {OPENAPI_PATH}")
        return (job if isinstance(job, Reply) else engine.answer(job)), ()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        try:
            reply, allowed = route(environ)
        except GcmgraphError as error:
            reply, allowed = Reply.error(_status_of(error), str(error)), ()
        extra = [("Allow", ", ".join(allowed))] if reply.status == 405 else [("Vary", "Accept")]
        return _respond(reply, start_response, extra)

    return app
