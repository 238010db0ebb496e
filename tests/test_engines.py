"""Differential test: every stored query gives the same answer on Oxigraph (what gcmgraph runs)
and on rdflib's own SPARQL engine (the reference implementation most users know).

Known, explained divergences are listed in DIVERGENT with the reason; any other difference fails.
"""

from __future__ import annotations

from collections import Counter

import pytest
import rdflib
from conftest import gathered
from rdflib.compare import isomorphic

from gcmgraph.bridge import from_rdflib, graph_of, to_rdflib
from gcmgraph.queries import bind, catalogue

QUERIES = catalogue()

# query name -> why rdflib's answer differs (kept empty unless a difference is understood).
DIVERGENT: dict[str, str] = {}


def _example_params(query) -> dict[str, list[str]]:
    return {p.name: [p.example] for p in query.parameters if p.required and not p.default and p.example}


@pytest.fixture(scope="module")
def rdflib_dataset(bundled) -> rdflib.Graph:
    """All triples in one rdflib graph: the union default graph the stored queries are written for."""
    return graph_of(bundled.quads())


def _gathered(row: tuple) -> tuple:
    return tuple(gathered(term) for term in row)


def _rdflib_answer(dataset: rdflib.Graph, text: str, form: str):
    result = dataset.query(text)
    if form == "ASK":
        return bool(result.askAnswer)
    if form in ("CONSTRUCT", "DESCRIBE"):
        graph = rdflib.Graph()
        for triple in result:
            graph.add(triple)
        return graph
    names = [str(v) for v in result.vars]
    return names, Counter(
        _gathered(tuple(from_rdflib(row[i]) if row[i] is not None else None for i in range(len(names))))
        for row in result
    )


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_oxigraph_and_rdflib_agree(bundled, rdflib_dataset, query) -> None:
    if query.name in DIVERGENT:
        pytest.skip(DIVERGENT[query.name])
    text = bind(query, _example_params(query))
    ours = bundled.query(text, timeout=None)
    theirs = _rdflib_answer(rdflib_dataset, text, query.form)
    if query.form == "ASK":
        assert ours.boolean == theirs
    elif ours.is_graph:
        mine = rdflib.Graph()

        for t in ours.triples:
            mine.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        assert isomorphic(mine, theirs)
    else:
        names, rows = theirs
        assert list(ours.variables) == names
        assert Counter(_gathered(tuple(row)) for row in ours.rows) == rows
