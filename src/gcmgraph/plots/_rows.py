"""Rows of a stored query as plain strings: the only way the pictures read the graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from ..namespaces import compact
from ..queries import run_query
from ..sources import GraphSource


def rows(graph: GraphSource, query: str, params: Mapping[str, Sequence[str]] | None = None) -> list[dict[str, str]]:
    """Each solution of the stored query ``query`` as ``{variable: lexical value}`` (unbound left out)."""
    result = run_query(graph, query, params)
    table = []
    for record in result.records():
        table.append({name: term.value for name, term in record.items() if isinstance(term, ox.NamedNode | ox.Literal)})
    return table


def source_names(iris: Sequence[str]) -> str:
    """Source documents as short names, sorted: ``document:seed-nnirr-gcm, ...``; a cell that lists
    several (``a; b``, as the stored queries gather them) counts as each of them."""
    return ", ".join(sorted({compact(part) for iri in iris for part in iri.split("; ") if part}))
