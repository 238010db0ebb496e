"""Where each page of the site lives: a page's path follows the IRI of what it describes.

``https://w3id.org/gcmgraph/id/state/che`` is described at ``id/state/che.html``, the ontology term
``https://w3id.org/gcmgraph/ontology#Event`` at ``ontology.html#Event`` and the shape
``https://w3id.org/gcmgraph/shapes#EventShape`` at ``shapes.html#EventShape``, so that a web server
can later answer each w3id IRI with its page by adding ``.html`` to the path.
"""

from __future__ import annotations

import posixpath
import re

from ..paths import ID_BASE, ONTOLOGY_NS, SHAPES_NS

ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def resource_path(iri: str) -> str | None:
    """The site path of a resource's page (``id/state/che.html``), or None if it has no page."""
    if not iri.startswith(ID_BASE):
        return None
    parts = iri[len(ID_BASE) :].split("/")
    if len(parts) != 2 or not all(_SLUG.match(p) for p in parts):
        return None
    return f"id/{parts[0]}/{parts[1]}.html"


def term_anchor(iri: str) -> str | None:
    """``ontology.html#Event`` for a term of the ontology, ``shapes.html#X`` for a shape."""
    for namespace, page in ((ONTOLOGY_NS, "ontology.html"), (SHAPES_NS, "shapes.html")):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{page}#{iri[len(namespace) :]}"
    if iri == ONTOLOGY_IRI:
        return "ontology.html"
    return None


def query_path(name: str) -> str:
    return f"queries/{name}.html"


def relative(from_page: str, to_path: str) -> str:
    """A link from the page at ``from_page`` to ``to_path`` (both relative to the site root)."""
    target, _, fragment = to_path.partition("#")
    start = posixpath.dirname(from_page) or "."
    link = posixpath.relpath(target, start) if target else posixpath.basename(from_page)
    return link + (f"#{fragment}" if fragment else "")
