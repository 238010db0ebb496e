"""gcmgraph: a validated, queryable knowledge graph of the Global Compact for Safe, Orderly and
Regular Migration.

The public API is re-exported here and imported lazily, so ``import gcmgraph`` stays cheap and a
query never loads pySHACL or owlrl.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "open_graph": "store",
    "LocalGraph": "store",
    "GraphSource": "sources",
    "open_source": "sources",
    "catalogue": "queries",
    "find_query": "queries",
    "run_query": "queries",
    "bind": "queries",
    "StoredQuery": "queries",
    "Parameter": "queries",
    "QueryResult": "results",
    "describe": "describe",
    "Description": "describe",
    "render_result": "render",
    "validate": "validation",
    "ValidationReport": "validation",
    "Finding": "validation",
    "export": "export",
    "ExportResult": "export",
    "build_site": "site",
    "draw_plot": "plots",
    "EndpointGraph": "remote",
    "publish": "remote",
    "GcmgraphError": "errors",
    "DataSyntaxError": "errors",
    "UnknownQueryError": "errors",
    "QueryParameterError": "errors",
    "QueryFileError": "errors",
    "InputFileError": "errors",
    "RefusedQueryError": "errors",
    "QueryTimeoutError": "errors",
    "ResultLimitError": "errors",
    "UsageError": "errors",
    "RemoteError": "errors",
    "ServeError": "errors",
    "UnknownResourceError": "errors",
    "UnknownPlotError": "errors",
    "PlotOutputError": "errors",
    "NothingToShowError": "errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gcmgraph' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
