"""The graph as one file, in a standard RDF format, byte for byte the same on every run.

Blank nodes get canonical labels (:mod:`gcmgraph.canonical`, linear in time for trees of blank
nodes) and statements are sorted, so the same input always gives the same bytes. Turtle,
N-Triples, RDF/XML and JSON-LD hold one graph, the union of the sources, in the default graph
(what ``rdflib.Graph().parse()`` and JSON-LD tools read). TriG and N-Quads, and JSON-LD with
``graphs=True``, keep one named graph per source file (and one for ``--inferred`` entailments),
so a consumer can tell the ontology from the data and trace a triple to its file. JSON-LD is
written by pyld with the maintained context ``ontology/context.jsonld`` embedded; ``frame``
gives a nested, document-shaped view instead. No URL is ever fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, cast

import pyoxigraph as ox

from .canonical import canonical_labels
from .errors import DataSyntaxError, GcmgraphError, InputFileError, UsageError
from .formats import GRAPH, Format, choose, formats
from .loader import SourceFile, default_sources, expand_paths, parse_source, read_source, resolve_sources
from .namespaces import PREFIXES
from .paths import display_path, ontology_dir, ontology_file, shapes_file

PARTS = ("all", "ontology", "data", "shapes")

_RDF_TYPE = PREFIXES["rdf"] + "type"
# RDF/XML writes a property as an element name, so the IRI must end in an XML name (NCName).
_XML_NAME_END = re.compile(r"[A-Za-z_\u00c0-\ufffd][\w.\-\u00b7\u0300-\u036f\u203f-\u2040]*$")
_NOT_XML_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ExportResult:
    """The exported bytes, how many statements they hold, and how many of those were inferred."""

    content: bytes
    triples: int
    inferred_added: int


def context_file() -> Path:
    return ontology_dir() / "context.jsonld"


def default_frame_file() -> Path:
    return ontology_dir() / "frame-events.jsonld"


def pick_format(fmt: str | None, output: str | Path | None = None, *, frame: bool = False) -> str:
    """The format asked for, else the one the output's extension names, else JSON-LD for a frame or Turtle."""
    return choose(GRAPH, fmt, output, default="json-ld" if frame else "turtle").name


def export(
    fmt: str,
    *,
    only: str = "all",
    inferred: bool = False,
    data: Sequence[Path | str] | None = None,
    frame: Path | bool | None = None,
    graphs: bool = False,
) -> ExportResult:
    """Serialise the ontology, data and/or shapes (``only``) in ``fmt``, with or without entailments.

    ``graphs`` keeps one named graph per source file in JSON-LD (TriG and N-Quads always do);
    without it JSON-LD holds the union of the files in its default graph.
    """
    chosen = choose(GRAPH, fmt, default=fmt)
    name = chosen.name
    if frame and name != "json-ld":
        raise UsageError("--frame needs --format json-ld")
    if graphs and not (chosen.rdf and chosen.rdf.supports_datasets):
        keeping = ", ".join(f.name for f in formats(GRAPH) if f.rdf and f.rdf.supports_datasets)
        raise UsageError(f"--graphs needs a format that holds named graphs ({keeping}); {name} holds one graph")
    sources = select_sources(only, data)
    asserted, added = _statements(sources, inferred=inferred)
    quads = asserted + added
    if not (chosen.keeps_graphs or graphs):
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in {q.triple for q in quads}]
    quads = canonical(quads)
    content = _jsonld(quads, frame) if name == "json-ld" else _rdf(quads, chosen)
    return ExportResult(content=content, triples=len(quads), inferred_added=len(added))


def export_inputs(data: Sequence[Path | str] | None = None, frame: Path | bool | None = None) -> list[Path]:
    """Every file an export may read, so that its output is never written over one of them."""
    paths = [ontology_file(), shapes_file(), context_file(), *(expand_paths(data) if data else default_sources())]
    if frame:
        paths.append(default_frame_file() if frame is True else Path(frame))
    return paths


def select_sources(only: str, data: Sequence[Path | str] | None = None) -> list[SourceFile]:
    """The files ``only`` names: the ontology, the data files (bundled or the user's), the shapes, or all."""
    if only not in PARTS:
        raise UsageError(f"unknown --only '{only}'; use one of {', '.join(PARTS)}")
    ontology, shapes = ontology_file().resolve(), shapes_file().resolve()
    chosen = [read_source(ontology)] if only in ("all", "ontology") else []
    if only in ("all", "data"):
        chosen += [s for s in resolve_sources(data) if s.path.resolve() not in (ontology, shapes)]
    if only in ("all", "shapes"):
        chosen.append(read_source(shapes))
    return chosen


def _statements(sources: list[SourceFile], *, inferred: bool) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The sources' quads, and the OWL RL entailments of the ontology and data among them."""
    if not inferred:
        return [q for s in sources for q in parse_source(s)], []
    from .inference import INFERRED_GRAPH
    from .store import LocalGraph  # the reasoner's output is cached there, keyed on the files

    shapes = shapes_file().resolve()
    reasoned = [s for s in sources if s.path.resolve() != shapes]
    if not reasoned:
        raise UsageError("--inferred needs the ontology or data; the shapes alone have no entailments")
    if all(s.path.resolve() != ontology_file().resolve() for s in reasoned):
        reasoned.insert(0, read_source(ontology_file()))
    graph = LocalGraph(reasoned, inferred=True)
    wanted = {ox.NamedNode(s.graph) for s in sources}
    asserted = [q for q in graph.quads() if q.graph_name in wanted]
    asserted += [q for s in sources if s.path.resolve() == shapes for q in parse_source(s)]
    inferred_graph = ox.NamedNode(INFERRED_GRAPH)
    added = [q for q in graph.quads() if q.graph_name == inferred_graph]
    return asserted, added


def canonical(quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank-node labels, sorted by graph, subject, type first, predicate, object."""
    return sorted(canonical_labels(quads), key=_order)


_Key = tuple[int | str, ...]


def _order(quad: ox.Quad) -> tuple[_Key, _Key, bool, str, _Key]:
    predicate = quad.predicate.value
    return _key(quad.graph_name), _key(quad.subject), predicate != _RDF_TYPE, predicate, _key(quad.object)


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> _Key:
    """IRIs by their text, then blank nodes by number (``c14n2`` before ``c14n10``), then literals
    (the default graph and triple terms first)."""
    if isinstance(term, ox.NamedNode):
        return (1, term.value)
    if isinstance(term, ox.BlankNode):
        return (2, len(term.value), term.value)
    if isinstance(term, ox.Literal):
        return (3, term.value, term.language or "", term.datatype.value)
    return (0,)


def _rdf(quads: list[ox.Quad], chosen: Format) -> bytes:
    """Turtle, TriG, N-Triples, N-Quads or RDF/XML from pyoxigraph; prefixes only where they are used."""
    statements = quads if chosen.keeps_graphs else [q.triple for q in quads]
    if chosen.name in ("nt", "nq"):
        return cast(bytes, ox.serialize(statements, format=chosen.rdf))
    if chosen.name == "xml":
        _check_xml(quads)
    content = cast(bytes, ox.serialize(statements, format=chosen.rdf, prefixes=_used_prefixes(quads)))
    return content if chosen.name == "xml" else _laid_out(content, subject_depth=1 if chosen.name == "trig" else 0)


def _used_prefixes(quads: list[ox.Quad]) -> dict[str, str]:
    iris = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in sorted(PREFIXES.items()) if any(iri.startswith(ns) for iri in iris)}


def _laid_out(content: bytes, *, subject_depth: int) -> bytes:
    """Prefix lines sorted, then a blank line before each subject and graph block.

    pyoxigraph writes one ``@prefix`` per line and escapes line breaks inside literals, so every
    raw line break ends a line of syntax and a line's leading tabs give its depth.
    """
    lines = content.rstrip(b"\n").split(b"\n")
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    out = sorted(lines[:count])
    for line in lines[count:]:
        depth = len(line) - len(line.lstrip(b"\t"))
        opens_graph = subject_depth > 0 and depth == 0 and not line.startswith(b"}")
        if out and (opens_graph or (depth == subject_depth and not out[-1].endswith(b"{"))):
            out.append(b"")
        out.append(line)
    return b"\n".join(out) + b"\n"


def _check_xml(quads: list[ox.Quad]) -> None:
    """Refuse what RDF/XML cannot say, rather than write a file that does not read back."""
    for quad in quads:
        if not _XML_NAME_END.search(quad.predicate.value):
            raise UsageError(
                f"RDF/XML cannot write the property <{quad.predicate.value}> (its IRI does not end in an "
                "XML name); use turtle, nt, nq, trig or json-ld"
            )
        if isinstance(quad.object, ox.Literal) and _NOT_XML_CHAR.search(quad.object.value):
            raise UsageError(
                f"RDF/XML cannot write a control character in a literal of {quad.subject}; "
                "use turtle, nt, nq, trig or json-ld"
            )


def _jsonld(quads: list[ox.Quad], frame: Path | bool | None) -> bytes:
    """Compact JSON-LD with the maintained context embedded, or the framed view if ``frame``."""
    from pyld import jsonld  # only JSON-LD needs pyld

    context = _load_json(context_file()).get("@context")
    if not isinstance(context, dict):
        raise DataSyntaxError(display_path(context_file()), None, "has no '@context' object")
    frame_path = default_frame_file() if frame is True else Path(frame) if frame else None
    origin = display_path(frame_path) if frame_path else display_path(context_file())
    options: dict[str, Any] = {"documentLoader": _refuse_remote}
    try:
        expanded = jsonld.from_rdf(_pyld_dataset(quads))
        if frame_path is None:
            document = jsonld.compact(expanded, context, options)
        else:
            shape = _load_json(frame_path)
            own = shape.get("@context", [])
            context = [context, *(own if isinstance(own, list) else [own])]
            # Leave out a framed property a node lacks, rather than write it as null.
            document = jsonld.frame(expanded, {**shape, "@context": context}, {**options, "omitDefault": True})
    except jsonld.JsonLdError as error:
        raise _user_error(error, origin) from None
    body = {key: value for key, value in document.items() if key != "@context"}
    text = json.dumps({"@context": context, **_sorted_keys(body)}, ensure_ascii=False, indent=2)
    return (text + "\n").encode()


def _pyld_dataset(quads: list[ox.Quad]) -> dict[str, list[dict[str, dict[str, str]]]]:
    """The quads as pyld's RDF dataset, built term by term.

    pyld's own N-Quads reader leaves ``\\u`` escapes undecoded, reads a backslash before an ``n``
    as a line break, and compares every pair of triples in a graph (slow on thousands).
    """
    dataset: dict[str, list[dict[str, dict[str, str]]]] = {}
    for quad in quads:
        graph = "@default" if isinstance(quad.graph_name, ox.DefaultGraph) else _pyld_term(quad.graph_name)["value"]
        triple = {"subject": _pyld_term(quad.subject), "predicate": _pyld_term(quad.predicate)}
        dataset.setdefault(graph, []).append({**triple, "object": _pyld_term(quad.object)})
    return dataset


def _pyld_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "IRI", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "blank node", "value": f"_:{term.value}"}
    if isinstance(term, ox.Triple):  # RDF 1.2 (``<< s p o >>`` in Turtle); JSON-LD 1.1 has no form for it
        raise UsageError(f"JSON-LD cannot write the triple term <<( {term} )>>; use turtle, nt, nq or trig")
    value = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return {**value, "language": term.language} if term.language else value


def _refuse_remote(url: str, options: object = None) -> NoReturn:
    raise UsageError(f"{url}: gcmgraph does not fetch JSON-LD contexts or frames; put the context inline")


def _user_error(error: Exception, origin: str) -> GcmgraphError:
    """The GcmgraphError behind a pyld error (a refused URL), else the pyld message with the file."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, GcmgraphError):
            return cause
        cause = cause.__cause__ or getattr(cause, "cause", None)
    return DataSyntaxError(origin, None, f"JSON-LD: {error.args[0] if error.args else error}")


def _load_json(path: Path) -> dict[str, Any]:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(name, "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(name, f"cannot be read ({error})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataSyntaxError(name, error.lineno, error.msg, column=error.colno) from None
    if not isinstance(value, dict):
        raise DataSyntaxError(name, 1, "expected a JSON object")
    return value


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value
