"""Term-by-term conversion between pyoxigraph and rdflib, for the tools that need rdflib
(pySHACL, owlrl, some serialisers). Lexical forms, language tags, datatypes and blank-node
labels are carried over exactly: rdflib's literal normalisation is switched off per literal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import rdflib


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Node:
    """The rdflib form of a term; a triple term (RDF 1.2) has none in rdflib: TypeError."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language, normalize=False)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"cannot convert {term!r} to rdflib")


def from_rdflib(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = term.datatype or rdflib.XSD.string
        return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
    raise TypeError(f"cannot convert {term!r} from rdflib")


def graph_of(quads: Iterable[ox.Quad | ox.Triple]) -> rdflib.Graph:
    """One rdflib graph holding the triples of all the quads (graph names dropped)."""
    graph = rdflib.Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def dataset_of(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """An rdflib dataset with each quad in its named graph."""
    dataset = rdflib.Dataset()
    for quad in quads:
        graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else to_rdflib(quad.graph_name)
        # rdflib takes a graph's name as the fourth item (Dataset.add looks the graph up); its stub says Graph only
        dataset.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object), graph))  # type: ignore[arg-type]
    return dataset


@contextmanager
def quiet_ill_typed_literals() -> Iterator[None]:
    """Silence rdflib's warning (with a traceback) for each ill-typed literal it is handed while
    the block runs: validation reports those literals itself, once, at their line."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def rdflib_conversions_kept() -> Iterator[None]:
    """Put rdflib's lexical-to-value conversions back as they were after the block. owlrl (also
    inside pySHACL's inference) swaps in its own while it runs and leaves some behind: after it,
    ``"2018+00:00"^^xsd:gYear``, a valid year, reads as ill-typed, and a later check differs."""
    from rdflib.term import _toPythonMapping

    saved = dict(_toPythonMapping)
    try:
        yield
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(saved)
