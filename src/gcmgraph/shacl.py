"""SHACL validation behind one interface, by either of two engines that give the same report:

- ``fast`` (the default): pyshacl-turbo, a Rust SHACL engine with pySHACL's API. Each
  SPARQL-based constraint is compiled once; the data goes in as N-Triples text, so no literal is
  rewritten on the way (a pyoxigraph store would hand over canonical forms).
- ``pyshacl``: pySHACL, the reference.

Both return a standard ``sh:ValidationReport`` as an rdflib graph. tests/test_differential.py
runs every fixture and the bundled data through both and requires the same results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib

ENGINES = ("fast", "pyshacl")


def shapes_graph(quads: Sequence[ox.Quad]) -> rdflib.Graph:
    """The shapes file's triples as the rdflib graph both engines read shapes from."""
    from .bridge import graph_of

    return graph_of(quads)


def meta_report(shapes: rdflib.Graph, *, engine: str) -> rdflib.Graph | None:
    """What the SHACL-for-SHACL shapes find wrong in ``shapes``, or None if they conform."""
    from .bridge import rdflib_conversions_kept

    if engine == "pyshacl":
        from pyshacl.entrypoints import meta_validate
    else:
        from pyshacl_turbo import meta_validate

    with rdflib_conversions_kept():
        conforms, report, _ = meta_validate(shapes, inference="none")
    return None if conforms else report


def report(data: Sequence[ox.Triple | ox.Quad], shapes: rdflib.Graph, *, engine: str, inference: str) -> rdflib.Graph:
    """The SHACL validation report of ``data`` against ``shapes`` (SHACL-AF enabled, every
    severity), after ``inference`` ("none" or "rdfs") on a copy of the data."""
    options: dict[str, Any] = {
        "shacl_graph": shapes,
        "advanced": True,
        "allow_warnings": True,
        "allow_infos": True,
        "inference": None if inference == "none" else inference,
    }
    if engine == "pyshacl":
        from pyshacl import validate

        from .bridge import graph_of, rdflib_conversions_kept

        with rdflib_conversions_kept():
            _, results, _ = validate(graph_of(data), **options)
    else:
        from pyshacl_turbo import validate as turbo_validate
        from pyshacl_turbo.rdf import Input

        triples = (ox.Triple(t.subject, t.predicate, t.object) for t in data)
        text = cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))  # bytes when given no output
        _, results, _ = turbo_validate(Input(text.decode("utf-8"), "nt", None, {}, preserve_ids=True), **options)
    # Neither engine annotates what validate returns; the report is a graph unless asked to serialise it.
    return cast("rdflib.Graph", results)
