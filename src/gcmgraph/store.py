"""Where the triples come from: the one seam between query code and the engine behind it.

A :class:`GraphSource` answers SPARQL text with a :class:`QueryResult`. :class:`LocalGraph` is
the bundled (or the user's) Turtle files in an embedded Oxigraph store, each file in its own named
graph and the default graph read as their union; with ``inferred=True`` the OWL RL entailments
are added in one more named graph. A remote SPARQL endpoint slots in as another GraphSource.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from . import cache
from .errors import QueryFileError, QueryTimeoutError, RefusedQueryError, ResultLimitError
from .loader import SourceFile, parse_source, resolve_sources
from .results import QueryResult, from_solutions_json
from .sparql_text import outside_features, query_form

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 100_000


class GraphSource(Protocol):
    """Anything that answers SPARQL queries: the local store or a remote endpoint."""

    description: str

    def query(
        self,
        text: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        allow_outside: bool = False,
        origin: str = "query",
    ) -> QueryResult: ...


def check_query_text(text: str, origin: str, *, known_graphs: Sequence[str], allow_outside: bool) -> str:
    """The query's form, after refusing updates and, unless allowed, SERVICE and foreign FROM."""
    form = query_form(text)
    if form == "UPDATE":
        raise RefusedQueryError(f"{origin}: SPARQL Update is refused; gcmgraph only reads data")
    if not allow_outside:
        for feature in outside_features(text):
            target = feature.target.strip("<>")
            if feature.keyword.startswith("FROM") and target in known_graphs:
                continue
            raise RefusedQueryError(
                f"{origin}:{feature.line}: {feature.keyword} {feature.target} reaches outside the "
                "loaded data; pass --allow-outside to permit it"
            )
    return form


def _run_with_limits(work: Callable[[], QueryResult], timeout: float | None, origin: str) -> QueryResult:
    """Run ``work()`` in a daemon thread; give up with a clear error after ``timeout`` seconds."""
    if timeout is None:
        return work()
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="gcmgraph-query")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeoutError(f"{origin}: stopped after {timeout:g} s (raise it with --timeout)")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


class LocalGraph:
    """Turtle files in an embedded Oxigraph store, optionally with their OWL RL closure."""

    def __init__(self, sources: Sequence[SourceFile], *, inferred: bool = False, use_cache: bool = True):
        self.sources = list(sources)
        self.inferred = inferred
        self.description = f"{len(self.sources)} file(s)"
        self.store = ox.Store()
        parts = [(s.name, s.digest) for s in self.sources]

        def build() -> list[ox.Quad]:
            quads = self._parse_all()
            if inferred:
                from .inference import entailments  # owlrl is imported only when asked for

                quads += entailments(quads)
            return quads

        # One cache entry holds the asserted quads and their entailments together, so their
        # blank-node labels always match.
        kind = "owlrl" if inferred else "asserted"
        self._quads = cache.cached_quads(cache.cache_key(kind, parts), build) if use_cache else build()
        self.store.extend(self._quads)

    def _parse_all(self) -> list[ox.Quad]:
        quads: list[ox.Quad] = []
        for source in self.sources:
            quads.extend(parse_source(source))
        return quads

    @property
    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> list[ox.Quad]:
        """The quads exactly as parsed (and inferred). Not read back from the store, which
        rewrites integer subtypes such as xsd:nonNegativeInteger to xsd:integer."""
        return list(self._quads)

    def query(
        self,
        text: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        allow_outside: bool = False,
        origin: str = "query",
    ) -> QueryResult:
        form = check_query_text(text, origin, known_graphs=self.graph_names, allow_outside=allow_outside)

        def work() -> QueryResult:
            try:
                answer = self.store.query(text, use_default_graph_as_union=True)
            except SyntaxError as error:
                message = str(error.msg or error)
                where = re.match(r"error at (\d+):(\d+): ", message)
                if where:
                    message = message[where.end() :]
                    origin_at = f"{origin}:{where.group(1)}:{where.group(2)}"
                else:
                    origin_at = origin
                raise QueryFileError(origin_at, f"SPARQL syntax error: {message}") from None
            # pyoxigraph's result iterators must be dropped in the thread that made them, so
            # everything is read into plain values here before anything is returned or raised.
            triples: list[ox.Triple] = []
            payload = b""
            if isinstance(answer, ox.QueryTriples):
                for triple in answer:
                    triples.append(triple)
                    if max_rows is not None and len(triples) > max_rows:
                        break
            else:
                payload = answer.serialize(format=ox.QueryResultsFormat.JSON)
            kind = (
                "ASK"
                if isinstance(answer, ox.QueryBoolean)
                else "GRAPH"
                if triples or isinstance(answer, ox.QueryTriples)
                else "SELECT"
            )
            del answer
            if kind == "GRAPH":
                if max_rows is not None and len(triples) > max_rows:
                    raise ResultLimitError(f"{origin}: more than {max_rows} triples (raise it with --max-rows)")
                return QueryResult(form=form if form == "DESCRIBE" else "CONSTRUCT", triples=tuple(triples))
            result = from_solutions_json(kind, payload)
            if max_rows is not None and len(result.rows) > max_rows:
                raise ResultLimitError(f"{origin}: more than {max_rows} rows (raise it with --max-rows)")
            return result

        try:
            return _run_with_limits(work, timeout, origin)
        except OSError as error:
            raise QueryFileError(origin, f"query failed: {error}") from None


def open_graph(
    data: Sequence[Path | str] | None = None, *, inferred: bool = False, use_cache: bool = True
) -> LocalGraph:
    """The bundled graph (ontology and data), or the ontology plus the files the user names."""
    return LocalGraph(resolve_sources(data), inferred=inferred, use_cache=use_cache)


def open_source(
    data: Sequence[Path | str] | None = None,
    *,
    inferred: bool = False,
    endpoint: str | None = None,
    graphs: Sequence[str] | None = None,
) -> GraphSource:
    """Where the triples come from: local files (bundled or named) or a SPARQL endpoint.

    On an endpoint, queries read the graphs the last ``gcmgraph publish`` listed in the store's
    manifest (or, without one, the bundled files' graphs) unless ``graphs`` names others (an
    empty list: the store's own default graph).
    """
    if endpoint is None:
        return open_graph(data, inferred=inferred)
    from .errors import UsageError
    from .remote import EndpointGraph, resolve_endpoint

    if data or inferred:
        raise UsageError("--endpoint queries the store's data: it cannot be combined with --data or --inferred")
    published = [source.graph for source in resolve_sources(None)]
    return EndpointGraph(resolve_endpoint(endpoint, graphs), published_graphs=published)
