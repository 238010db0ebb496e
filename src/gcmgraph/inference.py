"""OWL 2 RL entailments of a graph, computed on a copy; the asserted graph is untouched.

Two reasoners give the same answer: the SPARQL rules of :mod:`gcmgraph.reasoner`, run on
Oxigraph (the default, fast), and owlrl itself (the reference, and the fallback for a graph that
uses an OWL construct those rules do not cover).

Only the useful entailments are kept: the rules also derive triples about the RDF, RDFS, OWL and
XSD vocabularies themselves (``xsd:date rdf:type rdfs:Datatype`` ...), reflexive ``owl:sameAs``
and ``owl:Thing``/``rdfs:Resource`` typings, which say nothing about the GCM; those are dropped.
Inconsistencies are kept as owlrl writes them: a blank node of type ``err:ErrorMessage`` with
the message in ``err:error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .paths import GRAPH_BASE
from .reasoner import OWL, RDF, RDFS, TYPE, XSD

if TYPE_CHECKING:
    import rdflib

INFERRED_GRAPH = GRAPH_BASE + "inferred"
REASONERS = ("fast", "owlrl")
ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
_VOCABULARIES = (RDF, RDFS, OWL, XSD)
_TRIVIAL_TYPES = frozenset({OWL + "Thing", RDFS + "Resource", RDFS + "Class", OWL + "Class", RDF + "Property"})
_REFLEXIVE = frozenset(
    {OWL + "sameAs", RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass", OWL + "equivalentProperty"}
)
_KEPT_TYPES = frozenset({RDF + "Statement", OWL + "Nothing"})


def _useful(triple: ox.Triple) -> bool:
    subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
    if isinstance(subject, ox.NamedNode) and subject.value.startswith(_VOCABULARIES):
        return False
    if predicate in _REFLEXIVE and subject == obj:
        return False
    if predicate != TYPE or not isinstance(obj, ox.NamedNode):
        return True
    return obj.value not in _TRIVIAL_TYPES and (obj.value in _KEPT_TYPES or not obj.value.startswith(_VOCABULARIES))


def closure(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of ``graph`` expanded with the OWL RL closure (owlrl's full output)."""
    import owlrl
    import rdflib

    from .bridge import rdflib_conversions_kept

    expanded = rdflib.Graph()
    for triple in graph:
        expanded.add(triple)
    with rdflib_conversions_kept():
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


def _owlrl(triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """owlrl's entailments (error messages included), as pyoxigraph triples."""
    import rdflib

    from .bridge import from_rdflib, graph_of

    asserted = graph_of(triples)
    # Literal subjects are left out below, and owlrl's predicates are IRIs: each term fits its place.
    return [
        ox.Triple(*(from_rdflib(term) for term in triple))  # type: ignore[arg-type]
        for triple in closure(asserted)
        if triple not in asserted and not isinstance(triple[0], rdflib.Literal)
    ]


def _fast(triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """The SPARQL rules' entailments, with owlrl's error-message nodes."""
    from .reasoner import closure as rule_closure

    added, errors = rule_closure(triples)
    for message in errors:
        node = ox.BlankNode()
        added.append(ox.Triple(node, ox.NamedNode(TYPE), ox.NamedNode(ERROR_NS + "ErrorMessage")))
        added.append(ox.Triple(node, ox.NamedNode(ERROR_NS + "error"), ox.Literal(message)))
    return added


def entailments(quads: Iterable[ox.Quad], *, reasoner: str = "fast") -> list[ox.Quad]:
    """The useful OWL RL entailments of the quads' triples, in the ``inferred`` named graph.

    ``reasoner="owlrl"`` runs owlrl itself (the reference); the default runs the SPARQL rules, or
    owlrl when the graph uses a construct they do not cover. Statements with an RDF 1.2 triple
    term are left out of the reasoning.
    """
    from .reasoner import covers

    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}")
    # OWL RL is defined on RDF 1.1 graphs: a statement with an RDF 1.2 triple term stays asserted
    # but takes no part in the reasoning.
    triples = list(
        dict.fromkeys(
            ox.Triple(q.subject, q.predicate, q.object)
            for q in quads
            if not (isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple))
        )
    )
    added = _fast(triples) if reasoner == "fast" and covers(triples) else _owlrl(triples)
    name = ox.NamedNode(INFERRED_GRAPH)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in dict.fromkeys(added) if _useful(t)]
