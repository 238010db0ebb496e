"""One table of every format gcmgraph reads or writes: its name and aliases, what it holds, its
media types and file extensions, and the pyoxigraph format behind it.

Every command and the endpoint client choose formats here, so a name means the same everywhere
(``--format ttl`` is ``turtle`` in ``query``, ``export`` and ``validate``), and the extension of
``--output`` picks the format when ``--format`` is absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import UsageError

#: What a format holds.
RESULTS = "results"  # SELECT and ASK answers
GRAPH = "graph"  # RDF triples (or quads)
REPORT = "report"  # validation reports
LISTING = "listing"  # resource descriptions
CATALOGUE = "catalogue"  # the stored-query catalogue (``list``)
PICTURE = "picture"

_KIND_WORDS = {
    RESULTS: "a table (SELECT/ASK) result",
    GRAPH: "a graph",
    REPORT: "a validation report",
    LISTING: "this listing",
    CATALOGUE: "the query catalogue",
    PICTURE: "a picture",
}


@dataclass(frozen=True)
class Format:
    """One format of one kind; ``media_types[0]`` and ``extensions[0]`` are the preferred ones.

    ``keeps_graphs``: an export in this format keeps one named graph per source file by default
    (TriG, N-Quads). JSON-LD can hold named graphs too (``rdf.supports_datasets``) but writes the
    default graph unless asked, because that is what JSON-LD tools and ``rdflib.Graph`` read.
    """

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    keeps_graphs: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def media_type(self) -> str:
        return self.media_types[0] if self.media_types else "application/octet-stream"


FORMATS: tuple[Format, ...] = (
    Format("table", RESULTS, ("txt",), ("text/plain",), (".txt",)),
    Format("csv", RESULTS, (), ("text/csv",), (".csv",)),
    Format("tsv", RESULTS, (), ("text/tab-separated-values",), (".tsv",), results=ox.QueryResultsFormat.TSV),
    Format(
        "json",
        RESULTS,
        ("srj",),
        ("application/sparql-results+json", "application/json"),
        (".json", ".srj"),
        results=ox.QueryResultsFormat.JSON,
    ),
    Format(
        "xml",
        RESULTS,
        ("srx",),
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        (".xml", ".srx"),
        results=ox.QueryResultsFormat.XML,
    ),
    Format("markdown", RESULTS, ("md",), ("text/markdown",), (".md",)),
    Format("turtle", GRAPH, ("ttl",), ("text/turtle", "application/x-turtle"), (".ttl",), rdf=ox.RdfFormat.TURTLE),
    Format(
        "nt",
        GRAPH,
        ("ntriples", "n-triples"),
        ("application/n-triples", "text/plain"),
        (".nt",),
        rdf=ox.RdfFormat.N_TRIPLES,
    ),
    Format(
        "nq",
        GRAPH,
        ("nquads", "n-quads"),
        ("application/n-quads",),
        (".nq",),
        rdf=ox.RdfFormat.N_QUADS,
        keeps_graphs=True,
    ),
    Format("trig", GRAPH, (), ("application/trig",), (".trig",), rdf=ox.RdfFormat.TRIG, keeps_graphs=True),
    Format(
        "xml",
        GRAPH,
        ("rdfxml", "rdf", "owl"),
        ("application/rdf+xml",),
        (".rdf", ".owl", ".xml"),
        rdf=ox.RdfFormat.RDF_XML,
    ),
    Format("json-ld", GRAPH, ("jsonld",), ("application/ld+json",), (".jsonld",), rdf=ox.RdfFormat.JSON_LD),
    Format("text", REPORT, ("txt",), ("text/plain",), (".txt",)),
    Format("json", REPORT, (), ("application/json",), (".json",)),
    Format("turtle", REPORT, ("ttl",), ("text/turtle",), (".ttl",)),
    Format("github", REPORT),
    Format("sarif", REPORT, (), ("application/sarif+json",), (".sarif",)),
    Format("junit", REPORT, (), ("application/xml",), (".xml",)),
    Format("table", LISTING, ("txt",), ("text/plain",), (".txt",)),
    Format("json", LISTING, (), ("application/json",), (".json",)),
    Format("table", CATALOGUE, ("txt",), ("text/plain",), (".txt",)),
    Format("json", CATALOGUE, (), ("application/json",), (".json",)),
    Format("openapi", CATALOGUE, (), ("application/vnd.oai.openapi+json",), ()),
    Format("svg", PICTURE, (), ("image/svg+xml",), (".svg",)),
    Format("png", PICTURE, (), ("image/png",), (".png",)),
)


def formats(kind: str) -> tuple[Format, ...]:
    """Every format of one kind, in the table's order."""
    return tuple(f for f in FORMATS if f.kind == kind)


def names(kind: str) -> tuple[str, ...]:
    """The canonical names of one kind's formats (what ``--help`` lists)."""
    return tuple(f.name for f in formats(kind))


def find(kind: str, name: str) -> Format | None:
    """The format of ``kind`` called ``name`` or one of its aliases (any case)."""
    wanted = name.strip().lower()
    return next((f for f in formats(kind) if wanted in f.names), None)


def by_extension(kind: str, path: str | Path) -> Format | None:
    """The format of ``kind`` that a file name's extension names, if any (``.gz`` is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    return next((f for f in formats(kind) if suffix in f.extensions), None)


def by_media_type(kind: str, header: str | None) -> Format | None:
    """The format of ``kind`` a Content-Type header names (parameters such as charset ignored)."""
    media = (header or "").split(";")[0].strip().lower()
    return next((f for f in formats(kind) if media in f.media_types), None)


def choose(
    kind: str,
    fmt: str | None,
    output: str | Path | None = None,
    *,
    default: str,
    strict_extension: bool = False,
    what: str | None = None,
) -> Format:
    """The format ``fmt`` names, else the one the output file's extension names, else ``default``.

    ``strict_extension``: an output extension that names no format of this kind is an error
    (for pictures, where writing SVG into ``x.png`` would be wrong) rather than the default.
    ``what`` names the output in the error message (default: the kind's own words).
    """
    if fmt is not None:
        found = find(kind, fmt)
        if found is None:
            raise UsageError(
                f"--format {fmt} does not fit {what or _KIND_WORDS[kind]}; use one of {', '.join(names(kind))}"
            )
        return found
    if output is not None and str(output) != "-":
        found = by_extension(kind, output)
        if found is not None:
            return found
        if strict_extension:
            extensions = " ".join(e for f in formats(kind) for e in f.extensions)
            raise UsageError(f"--output {output}: give a file ending in {extensions}, or --format")
    found = find(kind, default)
    assert found is not None, default
    return found


def accept_header(kind: str, preferred: Sequence[str] = ()) -> str:
    """An HTTP Accept header listing ``preferred`` formats of ``kind`` first, with falling quality."""
    chosen = [find(kind, name) for name in preferred] or list(formats(kind))
    media = [m for f in chosen if f is not None for m in f.media_types[:1]]
    return ", ".join(m if i == 0 else f"{m};q={max(0.1, 1 - i / 10):.1f}" for i, m in enumerate(media))
