"""The local graph source: the bundled (or the user's) files in an embedded Oxigraph store.

:class:`LocalGraph` holds each file in its own named graph and reads the default graph as their
union; with ``inferred=True`` the OWL RL entailments are added in one more named graph. It is
one :class:`~gcmgraph.sources.GraphSource`; :mod:`gcmgraph.sources` chooses between it and a
remote endpoint.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from . import cache
from .errors import QueryFileError, QueryTimeoutError, ResultLimitError
from .limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S
from .loader import SourceFile, parse_source, resolve_sources
from .results import QueryResult, from_solutions_json
from .sparql_text import check_query_text


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
