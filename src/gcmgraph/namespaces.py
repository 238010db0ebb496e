"""The prefixes the project writes and reads: one table, used by every parser and serialiser."""

from __future__ import annotations

from .paths import ID_BASE, ONTOLOGY_NS, SHAPES_NS

ID_KINDS = (
    "claim",
    "document",
    "event",
    "mechanism",
    "objective",
    "office",
    "organization",
    "participation",
    "person",
    "phase",
    "place",
    "principle",
    "provision",
    "region",
    "role",
    "state",
    "vote",
)

STANDARD = {
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

PREFIXES: dict[str, str] = {
    "gcm": ONTOLOGY_NS,
    "gcmsh": SHAPES_NS,
    **{kind: f"{ID_BASE}{kind}/" for kind in ID_KINDS},
    **STANDARD,
}


def compact(iri: str) -> str:
    """``state:che`` for a project or standard IRI, else the IRI itself."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace) :]
            if local and "/" not in local and "#" not in local:
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


def expand(curie: str, extra: dict[str, str] | None = None) -> str | None:
    """The IRI of ``prefix:local`` if the prefix is known, else None."""
    prefix, sep, local = curie.partition(":")
    if not sep:
        return None
    table = {**PREFIXES, **(extra or {})}
    namespace = table.get(prefix)
    return namespace + local if namespace is not None else None
