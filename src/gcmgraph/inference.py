"""OWL 2 RL entailments of a graph, computed by owlrl on a copy; the asserted graph is untouched.

Only the useful entailments are kept: owlrl also asserts hundreds of axiomatic triples about the
RDF, RDFS, OWL and XSD vocabularies themselves (``rdf:type rdfs:domain rdfs:Resource`` ...),
reflexive ``owl:sameAs`` and ``owl:Thing``/``rdfs:Resource`` typings, which say nothing about
the GCM; those are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .bridge import graph_of, quads_of
from .paths import GRAPH_BASE

INFERRED_GRAPH = GRAPH_BASE + "inferred"
_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property}


def _useful(triple: tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]) -> bool:
    subject, predicate, obj = triple
    if isinstance(subject, rdflib.Literal):
        return False
    if isinstance(subject, rdflib.URIRef) and str(subject).startswith(_VOCABULARIES):
        return False
    if predicate == OWL.sameAs and subject == obj:
        return False
    if (
        predicate in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)
        and subject == obj
    ):
        return False
    if predicate == RDF.type and obj in _TRIVIAL_TYPES:
        return False
    return not (
        predicate == RDF.type
        and isinstance(obj, rdflib.URIRef)
        and str(obj).startswith(_VOCABULARIES)
        and obj not in (RDF.Statement, OWL.Nothing)
    )


def closure(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of ``graph`` expanded with the OWL RL closure (owlrl's full output)."""
    expanded = rdflib.Graph()
    for triple in graph:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


def entailments(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The useful OWL RL entailments of the quads' triples, in the ``inferred`` named graph."""
    asserted = graph_of(quads)
    expanded = closure(asserted)
    added = sorted((t for t in expanded if t not in asserted and _useful(t)), key=str)
    return quads_of(added, INFERRED_GRAPH)
