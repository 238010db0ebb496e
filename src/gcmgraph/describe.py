"""Everything the graph says about one resource, with labels and sources, for people to read.

Works through the :class:`~gcmgraph.store.GraphSource` seam, so it describes a resource of the
local graph or of a remote endpoint alike. The resource is named by IRI, prefixed name, or any of
its names (labels in every language, alternative and official names, titles), compared without
case or accents, so "Czech Republic", "cote d'ivoire" and "Turkiye" find what the data calls
Czechia, Côte d'Ivoire and Türkiye.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import UnknownResourceError
from .namespaces import PREFIXES, compact, expand
from .sources import GraphSource
from .sparql_text import sparql_term, values_block

_PREFIXES = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in ("dcterms", "gcm", "rdfs", "skos"))
_LABEL = "OPTIONAL {{ {var} rdfs:label {out} FILTER(LANG({out}) = 'en') }}"
#: Every name of every resource: the values of the naming properties and of their sub-properties
#: (gcm:officialName is a skos:altLabel), in any language, found without inference.
_NAMES = (
    _PREFIXES
    + """SELECT DISTINCT ?s ?name ?english WHERE {
  VALUES ?root { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel dcterms:title }
  { ?s ?root ?name } UNION { ?p rdfs:subPropertyOf+ ?root . ?s ?p ?name }
  FILTER(isIRI(?s) && isLiteral(?name))
  OPTIONAL { ?s rdfs:label ?english FILTER(LANGMATCHES(LANG(?english), "en")) }
} ORDER BY ?s ?name ?english"""
)
#: Letters that Unicode decomposition leaves whole, and punctuation people type in other forms.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
    }
)
#: At most this many candidates are named in a message.
_SHOWN = 8


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


def folded(text: str) -> str:
    """``text`` as names are compared: without case, accents or doubled spaces, one kind of apostrophe."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def resolve(graph: GraphSource, name: str) -> str:
    """The IRI of a resource named by ``<IRI>``, IRI, prefixed name, or any of its names: label in
    any language, alternative label, official name or title, compared without case or accents."""
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", text):
        return text
    expanded = expand(text)
    if expanded is not None and re.fullmatch(r"[A-Za-z][\w-]*:[\w.-]*", text):
        return expanded
    wanted, exact_text = folded(text), unicodedata.normalize("NFC", text)
    names: dict[str, str] = {}  # IRI -> English label (else a name), for messages
    found: dict[str, None] = {}
    exact: dict[str, None] = {}  # written exactly so: "Capacity" is the class, "capacity" the property
    near: dict[str, None] = {}
    for subject, value, english in graph.query(_NAMES, origin="describe").rows:
        if not isinstance(subject, ox.NamedNode) or not isinstance(value, ox.Literal):
            continue  # the query asks for these; an endpoint might answer otherwise
        iri = subject.value
        names.setdefault(iri, english.value if isinstance(english, ox.Literal) else value.value)
        candidate = folded(value.value)
        if candidate == wanted:
            found[iri] = None
            if unicodedata.normalize("NFC", value.value) == exact_text:
                exact[iri] = None
        elif wanted and wanted in candidate:
            near[iri] = None
    for matches in (list(exact), list(found)):
        if len(matches) == 1:
            return matches[0]
    if found:
        listed = _listed(list(found), names)
        raise UnknownResourceError(f"{name!r} names {len(found)} resources: {listed}; give one of these")
    hint = f"; names containing it: {_listed(list(near), names)}" if near else ""
    raise UnknownResourceError(f"no resource has the IRI, prefixed name or name {name!r}{hint}")


def _listed(iris: list[str], names: dict[str, str]) -> str:
    shown = ", ".join(f"{compact(iri)} ({names[iri]})" for iri in iris[:_SHOWN])
    return shown + (f" and {len(iris) - _SHOWN} more" if len(iris) > _SHOWN else "")


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
        if not isinstance(p, ox.NamedNode) or x is None or isinstance(x, ox.Triple):
            continue
        label = pl.value if isinstance(pl, ox.Literal) else compact(p.value)
        facts.append(Fact(p.value, label, x, xl.value if isinstance(xl, ox.Literal) else ""))
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
