"""The local graph source: the bundled (or the user's) files in an embedded Oxigraph store.

:class:`LocalGraph` holds each file in its own named graph and reads the default graph as their
union; with ``inferred=True`` the OWL RL entailments are added in one more named graph. A query
that names its own dataset (``FROM``, ``FROM NAMED``) reads exactly those graphs, as SPARQL says.

The store is built once per set of source contents with pyoxigraph's bulk loader and kept on disk
in the cache (:mod:`gcmgraph.cache`); every later command opens it read-only, which costs the same
for the bundled graph as parsing it and far less for big ones. With the cache off it is built in
memory. Note that Oxigraph stores literals by value, so quads and results read back from it
carry canonical forms (``"0150"^^xsd:integer`` reads back as ``"150"``, ``xsd:int`` as
``xsd:integer``); ``validate`` warns about such literals in the files.

It is one :class:`~gcmgraph.sources.GraphSource`; :mod:`gcmgraph.sources` chooses between it and
a remote endpoint.
"""

from __future__ import annotations

import errno
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from . import cache, limits
from .errors import (
    QueryFileError,
    QueryTimeoutError,
    RefusedQueryError,
    ResourceLimitError,
    ResultLimitError,
    UnknownGraphError,
)
from .guard import neutralise, service_word
from .limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S
from .loader import SourceFile, load_into, resolve_sources
from .results import QueryResult, Term, from_rows, from_solutions_json
from .sparql_text import check_query_text, declared_prefixes, feature_iri, outside_features

#: Graph names listed in full in an error; more are counted.
_LISTED_GRAPHS = 20


def _run_with_limits(
    work: Callable[[], QueryResult], wait: float | None, reported: float | None, origin: str
) -> QueryResult:
    """Run ``work()`` in a daemon thread; give up with a clear error after ``wait`` seconds.

    pyoxigraph releases the interpreter while it evaluates, so the caller wakes on time; the
    abandoned thread ends with the process (the CLI's watchdog makes sure it does).
    """
    if wait is None:
        return work()
    answers: list[QueryResult] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            answers.append(work())
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True, name="gcmgraph-query")
    thread.start()
    thread.join(wait)
    if thread.is_alive():
        raise QueryTimeoutError(f"{origin}: stopped after {reported:g} s (raise it with --timeout)")
    if errors:
        raise errors[0]
    return answers[0]


def _fill(store: ox.Store, sources: Sequence[SourceFile], inferred: bool) -> dict[str, Any]:
    """Load every file into ``store`` (and the entailments when asked); return what was loaded."""
    counts = load_into(store, sources)
    if inferred:
        from .inference import INFERRED_GRAPH, entailments  # owlrl is imported only when asked for

        limits.check("computing the OWL RL entailments")
        added = entailments(store.quads_for_pattern(None, None, None, None))
        store.bulk_extend(added)
        counts[INFERRED_GRAPH] = len(added)
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return {"graphs": graphs, "quads": counts}


def _build(sources: Sequence[SourceFile], inferred: bool, folder: Path | None) -> tuple[ox.Store, dict[str, Any]]:
    """A store holding the files (on disk in ``folder``, else in memory), with one-line errors
    when the machine cannot hold it."""
    where = f"in {folder}" if folder is not None else "in memory"
    try:
        store = ox.Store(str(folder)) if folder is not None else ox.Store()
        info = _fill(store, sources, inferred)
        if folder is not None:
            limits.check("compacting the store")
            store.optimize()  # merges the bulk loads' tables: queries over a million triples run 4x faster
            store.flush()
    except MemoryError:
        raise ResourceLimitError(f"not enough memory to load {len(sources)} file(s) {where}") from None
    except OSError as error:
        if getattr(error, "errno", None) == errno.ENOSPC or "No space left" in str(error):
            raise ResourceLimitError(
                f"not enough disk space to build the graph store {where}; free some or set GCMGRAPH_CACHE_DIR"
            ) from None
        raise
    return store, info


class LocalGraph:
    """RDF files in an embedded Oxigraph store, optionally with their OWL RL closure.

    ``warnings`` says what the reader should know (a damaged cache entry that was rebuilt, a cache
    folder that could not be written); the CLI prints them.
    """

    def __init__(self, sources: Sequence[SourceFile], *, inferred: bool = False, use_cache: bool = True):
        self.sources = list(sources)
        self.inferred = inferred
        self.description = f"{len(self.sources)} file(s)"
        self.warnings: list[str] = []
        self.location: Path | None = None  # the store's folder when it is on disk
        kind = "owlrl" if inferred else "asserted"
        self._key = cache.cache_key(kind, [(s.graph, s.digest) for s in self.sources])
        self._described = f"{self.description}{' with OWL RL entailments' if inferred else ''}"
        self._open(use_cache)

    def _open(self, use_cache: bool) -> None:
        """Open the cached store (building it first if needed), or build one in memory."""
        opened = None
        if use_cache:

            def build(folder: Path) -> dict[str, Any]:
                store, info = _build(self.sources, self.inferred, folder)
                del store  # closed before its files are checked and published
                return {**info, "describe": self._described}

            try:
                opened = cache.open_entry(
                    self._key, build, lambda folder: ox.Store.read_only(str(folder)), describe=self._described
                )
            except cache.CacheUnavailable as reason:
                self.warnings.append(f"{reason}; working in memory")
                cache.note(self.warnings[-1])
        if opened is None:
            self.store, info = _build(self.sources, self.inferred, None)
        else:
            self.store, info = opened.value, opened.info
            self.warnings += opened.warnings
            self.location = opened.folder
        self._opened = opened
        self._graphs = tuple(info["graphs"])
        self.counts: dict[str, int] = dict(info["quads"])

    @property
    def graph_names(self) -> list[str]:
        """Every named graph in the store: one per file, beneath a file for the graphs a dataset file
        names itself, and the entailments' graph."""
        return list(self._graphs)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads in the store (of one graph, or of all), streamed. Literals come back in
        Oxigraph's canonical form (see the module's note); blank-node labels are the store's."""
        name = ox.NamedNode(graph) if graph else None
        yield from self.store.quads_for_pattern(None, None, None, name)

    def _dataset(self, text: str, origin: str) -> bool:
        """True if the query names its own dataset; refuse graph names that are not loaded."""
        features = [f for f in outside_features(text) if f.keyword.startswith("FROM")]
        if not features:
            return False
        prefixes = declared_prefixes(text)
        loaded = set(self._graphs)
        for feature in features:
            iri = feature_iri(feature, prefixes)
            if iri not in loaded:
                listed = " ".join(f"<{g}>" for g in self._graphs[:_LISTED_GRAPHS])
                more = len(self._graphs) - _LISTED_GRAPHS
                listed += f" and {more} more" if more > 0 else ""
                raise UnknownGraphError(
                    f"{origin}:{feature.line}: {feature.keyword} {feature.target} is not a loaded graph; "
                    f"the loaded graphs are {listed or 'none'}"
                )
        return True

    def query(
        self,
        text: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        allow_outside: bool = False,
        origin: str = "query",
    ) -> QueryResult:
        """Answer a query; SELECT solutions and CONSTRUCT triples are read one by one and the
        query stops as soon as ``max_rows`` is passed, so a huge answer is never held whole."""
        own_dataset = self._dataset(text, origin)
        form = check_query_text(text, origin, known_graphs=self._graphs, allow_outside=allow_outside)
        if not allow_outside:
            text = _confined(text, origin)
        limits.check("querying", origin)

        def work() -> QueryResult:
            try:
                answer = self.store.query(text, use_default_graph_as_union=not own_dataset)
            except SyntaxError as error:
                message = str(error.msg or error)
                where = re.match(r"error at (\d+):(\d+): ", message)
                if where:
                    message = message[where.end() :]
                    origin_at = f"{origin}:{where.group(1)}:{where.group(2)}"
                else:
                    origin_at = origin
                raise QueryFileError(origin_at, f"SPARQL syntax error: {message}") from None
            # pyoxigraph's result iterators must be dropped in the thread that made them, so the
            # answer is read into plain values here and deleted before anything leaves this thread
            # (an error is re-raised without the traceback that still holds the iterator).
            failure: BaseException | None = None
            result: QueryResult | None = None
            try:
                result = _read(answer, form, max_rows, origin)
            except (ResultLimitError, OSError, RuntimeError) as error:
                failure = error.with_traceback(None)
            del answer
            if failure is not None:
                raise failure
            assert result is not None  # _read returned it, or it raised the failure
            return result

        wait, reported = limits.bound(timeout)
        try:
            return _run_with_limits(work, wait, reported, origin)
        except (OSError, RuntimeError) as error:  # the storage failed, not the query
            hint = " (the cached store may be damaged: run 'gcmgraph cache clear')" if self.location else ""
            raise QueryFileError(origin, f"query failed: {cache.short_reason(error)}{hint}") from None


def _confined(text: str, origin: str) -> str:
    """The text the engine may evaluate: SERVICE is already refused by the tokenizer's check, but
    pyoxigraph follows SERVICE wherever the tokenizer and the engine disagree on where a string or
    name ends, so the engine only ever gets :func:`gcmgraph.guard.neutralise`'s text, and any
    ``service`` still outside strings and IRIs is refused (see :mod:`gcmgraph.guard`)."""
    rewritten = neutralise(text)
    found = service_word(rewritten)
    if found is not None:
        what = "SERVICE" if found.keyword else f"{found.shown!r} (the letters 'service' outside strings and IRIs)"
        raise RefusedQueryError(
            f"{origin}:{found.line}: {what} could reach outside the loaded data; rename it, or pass --allow-outside"
        )
    return rewritten


def _read(
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, form: str, max_rows: int | None, origin: str
) -> QueryResult:
    """The whole answer as a :class:`QueryResult`, stopping once it has more than ``max_rows``."""
    if isinstance(answer, ox.QueryBoolean):
        return from_solutions_json("ASK", cast(bytes, answer.serialize(format=ox.QueryResultsFormat.JSON)))
    limit = max_rows if max_rows is not None else -1
    if isinstance(answer, ox.QueryTriples):
        triples: list[ox.Triple] = []
        for triple in answer:
            if len(triples) == limit:
                raise ResultLimitError(f"{origin}: more than {max_rows} triples (raise it with --max-rows)")
            triples.append(triple)
        return QueryResult(form=form if form == "DESCRIBE" else "CONSTRUCT", triples=tuple(triples))
    variables = [v.value for v in answer.variables]
    rows: list[tuple[Term | None, ...]] = []
    for solution in answer:
        if len(rows) == limit:
            raise ResultLimitError(f"{origin}: more than {max_rows} rows (raise it with --max-rows)")
        rows.append(tuple(solution))
    return from_rows("SELECT", variables, rows)


def open_graph(
    data: Sequence[Path | str] | None = None, *, inferred: bool = False, use_cache: bool = True
) -> LocalGraph:
    """The bundled graph (ontology and data), or the ontology plus the files the user names."""
    return LocalGraph(resolve_sources(data), inferred=inferred, use_cache=use_cache)
