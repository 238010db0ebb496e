"""One comparison of two answers to the same stored query, as tests/test_queries.py compares an
answer with its expected file: rows in order when the query has ORDER BY and as a bag otherwise,
terms by value, datatype and language (a cell that gathers several values as a set of them, see
``conftest.gathered``); graphs by isomorphism; ASK by its boolean."""

from __future__ import annotations

from collections import Counter

from conftest import gathered
from rdflib.compare import isomorphic
from test_queries import has_order_by

from gcmgraph.bridge import graph_of
from gcmgraph.queries import StoredQuery
from gcmgraph.results import QueryResult


def assert_same_answer(query: StoredQuery, local: QueryResult, remote: QueryResult) -> None:
    if local.is_graph:
        assert isomorphic(graph_of(local.triples), graph_of(remote.triples)), f"{query.name}: graphs differ"
    elif local.form == "ASK":
        assert remote.boolean is local.boolean, (
            f"{query.name}: {remote.boolean} where the local answer is {local.boolean}"
        )
    else:
        assert remote.variables == local.variables
        remote_rows = [tuple(map(gathered, row)) for row in remote.rows]
        local_rows = [tuple(map(gathered, row)) for row in local.rows]
        if has_order_by(query):
            for index, (got, want) in enumerate(zip(remote_rows, local_rows, strict=False)):
                assert got == want, f"{query.name}: row {index + 1} differs:\n got  {got}\n want {want}"
            assert len(remote_rows) == len(local_rows), f"{query.name}: {len(remote_rows)} rows, not {len(local_rows)}"
        else:
            assert Counter(remote_rows) == Counter(local_rows), f"{query.name}: rows differ"
