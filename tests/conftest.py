"""Shared test set-up: an isolated graph cache, the repository root, the bundled graph, and how
answers of different SPARQL engines are compared."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def typed_query(name: str) -> list[str]:
    """``query`` of the fixture typed-params.rq with every parameter given; it answers ``name`` back."""
    typed = str(FIXTURES / "queries" / "typed-params.rq")
    return ["query", typed, "-p", "thing=state:che", "-p", "count=1", "-p", "day=2018-12-10", "-p", f"name={name}"]


def gathered(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> object:
    """A result cell as comparisons see it. A cell that gathers several values (``a; b``, as the
    stored queries gather sources with GROUP_CONCAT) is the set of them, since SPARQL leaves their
    order to the engine; a GROUP_CONCAT over no values is the empty string on some engines (rdflib,
    Virtuoso) and unbound on Oxigraph, so the empty string counts as unbound."""
    if isinstance(term, ox.Literal) and "; " in term.value:
        return ("gathered", tuple(sorted(term.value.split("; "))), term.datatype, term.language)
    if isinstance(term, ox.Literal) and term.value == "":
        return None
    return term


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["GCMGRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("gcmgraph-cache"))


@pytest.fixture(scope="session")
def bundled():
    from gcmgraph import open_graph

    return open_graph()
