"""Everything the graph says about one resource, with labels and sources, for people to read.

Works through the :class:`~gcmgraph.store.GraphSource` seam, so it describes a resource of the
local graph or of a remote endpoint alike. The resource is named by IRI, prefixed name or label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import UnknownResourceError
from .namespaces import compact, expand
from .sources import GraphSource
from .sparql_text import sparql_term, values_block

_PREFIXES = """PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_LABEL = "OPTIONAL {{ {var} rdfs:label {out} FILTER(LANG({out}) = 'en') }}"


@dataclass(frozen=True)
class Fact:
    """One triple around the described resource, with readable labels."""

    predicate: str
    predicate_label: str
    value: ox.NamedNode | ox.BlankNode | ox.Literal
    value_label: str


@dataclass(frozen=True)
class Description:
    iri: str
    label: str
    facts: tuple[Fact, ...]
    incoming: tuple[Fact, ...]

    @property
    def sources(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.predicate.endswith("ontology#source"))


def resolve(graph: GraphSource, name: str) -> str:
    """The IRI of a resource named by ``<IRI>``, IRI, prefixed name or (unique) English label."""
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", text):
        return text
    expanded = expand(text)
    if expanded is not None and re.fullmatch(r"[A-Za-z][\w-]*:[\w.-]*", text):
        return expanded
    query = (
        _PREFIXES
        + "SELECT DISTINCT ?s WHERE { "
        + values_block("name", [ox.Literal(text.lower())])
        + " ?s rdfs:label|skos:altLabel ?l FILTER(LCASE(STR(?l)) = ?name) } ORDER BY ?s LIMIT 20"
    )
    found = [row[0].value for row in graph.query(query, origin="describe").rows]
    if not found:
        raise UnknownResourceError(f"no resource has the IRI, prefixed name or label {name!r}")
    if len(found) > 1:
        options = ", ".join(compact(iri) for iri in found)
        raise UnknownResourceError(f"{name!r} names several resources ({options}); give one of these")
    return found[0]


def _facts(graph: GraphSource, iri: str, incoming: bool) -> tuple[Fact, ...]:
    subject = values_block("this", [ox.NamedNode(iri)])
    pattern = "?x ?p ?this" if incoming else "?this ?p ?x"
    query = (
        _PREFIXES
        + f"SELECT ?p ?x ?pl ?xl WHERE {{ {subject} {pattern} . "
        + _LABEL.format(var="?p", out="?pl")
        + " "
        + _LABEL.format(var="?x", out="?xl")
        + " } ORDER BY ?p ?x LIMIT 1000"
    )
    facts = []
    for p, x, pl, xl in graph.query(query, origin="describe").rows:
        facts.append(Fact(p.value, pl.value if pl else compact(p.value), x, xl.value if xl else ""))
    return tuple(facts)


def describe(graph: GraphSource, name: str) -> Description:
    """What the graph says about the resource ``name``: its facts, incoming links and sources."""
    iri = resolve(graph, name)
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise UnknownResourceError(f"{name!r} is not a valid IRI ({error})") from None
    facts = _facts(graph, iri, incoming=False)
    incoming = _facts(graph, iri, incoming=True)
    if not facts and not incoming:
        raise UnknownResourceError(f"the graph says nothing about {sparql_term(ox.NamedNode(iri))}")
    label = next(
        (
            f.value.value
            for f in facts
            if f.predicate.endswith("#label") and isinstance(f.value, ox.Literal) and f.value.language == "en"
        ),
        compact(iri),
    )
    return Description(iri=iri, label=label, facts=facts, incoming=incoming)
