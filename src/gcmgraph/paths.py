"""The one place that locates the bundled ontology/, data/ and queries/ folders."""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from functools import cache
from pathlib import Path

#: Base of every individual's IRI. (Parsers get no base IRI at all: a relative IRI is an error.)
ID_BASE = "https://w3id.org/gcmgraph/id/"
ONTOLOGY_NS = "https://w3id.org/gcmgraph/ontology#"
SHAPES_NS = "https://w3id.org/gcmgraph/shapes#"
GRAPH_BASE = "https://w3id.org/gcmgraph/graph/"


@cache
def bundled_root() -> Path:
    """The folder holding ontology/, data/ and queries/: the wheel's copy or the source checkout.

    ``GCMGRAPH_HOME`` overrides both, for people who keep their own edited copy elsewhere.
    """
    override = os.environ.get("GCMGRAPH_HOME")
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled", *here.parents):
        if (candidate / "ontology" / "gcm.ttl").is_file():
            return candidate
    raise RuntimeError("gcmgraph is installed without its bundled ontology/, data/ and queries/")


def ontology_dir() -> Path:
    return bundled_root() / "ontology"


def data_dir() -> Path:
    return bundled_root() / "data"


def queries_dir() -> Path:
    return bundled_root() / "queries"


def ontology_file() -> Path:
    return ontology_dir() / "gcm.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def _real(path: str) -> Path:
    """The absolute path with symbolic links resolved, once per path (many files are named often)."""
    return _real_absolute(os.path.abspath(path))


@cache
def _real_absolute(path: str) -> Path:
    return Path(os.path.realpath(path))


def display_path(path: Path) -> str:
    """A path as users should read it: relative to the bundle or the current folder if possible."""
    path = _real(str(path))
    for base in (bundled_root(), _real(os.getcwd())):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(path)


def graph_name(path: Path) -> str:
    """The named-graph IRI of a source file: its bundle-relative path for bundled files; for other
    files, their name under a digest of their absolute path, so two ``x.ttl`` never share a graph."""
    path = _real(str(path))
    try:
        rel = path.relative_to(bundled_root()).as_posix()
    except ValueError:
        rel = f"external/{hashlib.sha256(str(path).encode()).hexdigest()[:12]}/{path.name}"
    return GRAPH_BASE + urllib.parse.quote(rel.removesuffix(".ttl"), safe="/")
