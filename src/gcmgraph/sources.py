"""Where the triples come from: the one seam between the services and the engine behind them.

A :class:`GraphSource` answers SPARQL text with a :class:`~gcmgraph.results.QueryResult`. The
services (query runner, describer, site, pictures) only ever see this protocol.
:func:`open_source` turns a command's options into one: the bundled files or the user's files in
a local Oxigraph store (:mod:`gcmgraph.store`), or a SPARQL endpoint (:mod:`gcmgraph.remote`).
Neither of those two modules imports the other; both import their shared limits and query checks
from below (:mod:`gcmgraph.limits`, :mod:`gcmgraph.sparql_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .errors import UsageError
from .limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S
from .results import QueryResult


class GraphSource(Protocol):
    """Anything that answers SPARQL queries: the local store or a remote endpoint."""

    @property
    def description(self) -> str: ...

    def query(
        self,
        text: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        allow_outside: bool = False,
        origin: str = "query",
    ) -> QueryResult: ...


def open_source(
    data: Sequence[Path | str] | None = None,
    *,
    inferred: bool = False,
    endpoint: str | None = None,
    graphs: Sequence[str] | None = None,
) -> GraphSource:
    """The graph a command reads: local files (bundled, or the ontology plus ``data``) or, when
    ``endpoint`` (a URL or an alias from ``gcmgraph.toml``) is given, a SPARQL endpoint.

    On an endpoint, queries read the graphs the last ``gcmgraph publish`` listed in the store's
    manifest (or, without one, the bundled files' graphs) unless ``graphs`` names others (an
    empty list: the store's own default graph).
    """
    if endpoint is None:
        if graphs is not None:
            raise UsageError("--graph and --no-graphs choose graphs on an --endpoint; they do not apply to local files")
        from .store import open_graph

        return open_graph(data, inferred=inferred)
    if data or inferred:
        raise UsageError("--endpoint queries the store's data: it cannot be combined with --data or --inferred")
    from .loader import resolve_sources
    from .remote import EndpointGraph, resolve_endpoint

    published = [source.graph for source in resolve_sources(None)]
    return EndpointGraph(resolve_endpoint(endpoint, graphs), published_graphs=published)
