"""Strict reading of RDF files into quads, one named graph per file.

Every standard syntax is read, chosen by the file's extension through :mod:`gcmgraph.formats`:
Turtle (``.ttl``), N-Triples (``.nt``), N-Quads (``.nq``), TriG (``.trig``), RDF/XML (``.rdf``,
``.owl``, ``.xml``) and JSON-LD (``.jsonld``), each also gzip-compressed (``.gz``, streamed).
pyoxigraph's parsers reject what the W3C test suites say is invalid (rdflib accepts 39 of the 94
invalid Turtle files). Files are parsed without a base IRI, so a relative IRI is an error instead of
silently resolving against a local path; a JSON-LD remote ``@context`` is never fetched. Errors name
the file, line and column where the syntax has lines (pyoxigraph gives none for RDF/XML).

Files are never read whole into memory: they are hashed in chunks, checked and parsed as streams,
and loaded into a store with its bulk loader, so there is no size limit beyond the disk.

A dataset file (N-Quads, TriG, JSON-LD) is one source like any other: its default graph is the
file's named graph, and each graph it names itself is kept apart, renamed under the file's graph
(``<file graph>/<percent-encoded name>``), so a file can never write into another file's graph.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypedDict, cast

import pyoxigraph as ox

from . import cache, limits
from .errors import DataSyntaxError, InputFileError
from .formats import GRAPH, Format, by_extension, formats
from .lexical import checked_datatypes, is_valid, out_of_range
from .namespaces import compact
from .paths import data_dir, display_path, graph_name, ontology_file

#: Extensions of the files read from a folder (``.gz`` of each is read too).
RDF_SUFFIXES = tuple(ext for f in formats(GRAPH) if f.rdf is not None for ext in f.extensions)
#: Quads handed to the bulk loader at a time: bounds the memory a load takes (about 250 MiB).
BULK_CHUNK = 250_000
#: Files at least this big remember their digest by file identity, so they are not hashed again.
REMEMBER_DIGEST_BYTES = 256 * 1024
_CHUNK = 1024 * 1024
_KNOWN = ", ".join(RDF_SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    """One RDF file: where it is, how users see its name, its named graph, its format and the
    SHA-256 digest of its bytes (as stored, so compressed for ``.gz``). Its content is read on
    demand, never kept."""

    path: Path
    name: str
    graph: str
    digest: str
    size: int
    format: Format

    @property
    def compressed(self) -> bool:
        return self.path.suffix.lower() == ".gz"

    @property
    def rdf_format(self) -> ox.RdfFormat:
        assert self.format.rdf is not None
        return self.format.rdf

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The file's bytes as a stream, decompressed for ``.gz``."""
        with self.path.open("rb") as raw:
            if self.compressed:
                import gzip  # only for .gz files

                with gzip.GzipFile(fileobj=raw) as unzipped:
                    yield cast(IO[bytes], unzipped)  # a binary file object, though typeshed's GzipFile is no IO
            else:
                yield raw

    @property
    def content(self) -> bytes:
        """The whole (decompressed) content; for small files and error reports only."""
        with self.open() as stream:
            return stream.read()


def input_format(path: Path | str) -> Format | None:
    """The RDF syntax a file's extension names (looking through ``.gz``), if any."""
    found = by_extension(GRAPH, path)
    return found if found is not None and found.rdf is not None else None


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the RDF files inside folders (any known extension, sorted), each once."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if input_format(p) is not None and p.is_file())
            if not members:
                raise InputFileError(path, f"folder holds no RDF file ({_KNOWN}, or .gz of one)")
            for member in members:
                found.setdefault(member.resolve(), None)
        elif path.exists():
            found.setdefault(path.resolve(), None)
        else:
            raise InputFileError(path, "no such file or folder")
    return list(found)


def read_source(path: Path, memo: cache.DigestMemo | None = None) -> SourceFile:
    """Check a file is a non-empty file of a known RDF syntax and take its digest; does not parse.

    The bytes are read in chunks, never whole. With a ``memo``, a big file's digest is remembered
    by its identity (device, inode, size and change times), so an unchanged big file is not read
    again (call ``memo.save()`` afterwards).
    """
    name = display_path(path)
    if not path.is_file():
        raise InputFileError(name, "not a regular file")
    chosen = input_format(path)
    if chosen is None:
        raise InputFileError(name, f"not a known RDF file name; give one ending in {_KNOWN} (or .gz of one)")
    try:
        stat = path.stat()
        big = memo is not None and stat.st_size >= REMEMBER_DIGEST_BYTES
        digest = memo.get(path, stat) if memo is not None and big else None
        if digest is None:
            started = time.time()
            digest = _digest(path, name)
            if memo is not None and big:
                memo.put(path, stat, digest, started)
    except OSError as error:
        raise InputFileError(name, f"cannot be read ({error.strerror or error})") from None
    return SourceFile(path=path, name=name, graph=graph_name(path), digest=digest, size=stat.st_size, format=chosen)


def _digest(path: Path, name: str) -> str:
    """SHA-256 of the file, read in chunks; a file of nothing but white space is refused."""
    digest = hashlib.sha256()
    blank = True
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            blank = blank and not chunk.strip()
    if blank:
        raise InputFileError(name, "file is empty")
    return digest.hexdigest()


def _check_text(source: SourceFile) -> None:
    """Refuse NUL bytes and bytes that are not UTF-8, naming the line (read in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    with source.open() as stream:
        while chunk := stream.read(_CHUNK):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                line = lines_before + chunk.count(b"\n", 0, nul) + 1
                raise DataSyntaxError(source.name, line, "binary file (NUL byte), not RDF text")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                at = max(0, min(error.start, len(chunk) - 1))
                line = lines_before + chunk.count(b"\n", 0, at) + 1
                raise DataSyntaxError(source.name, line, f"not UTF-8 text (byte 0x{chunk[at]:02x})") from None
            lines_before += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise DataSyntaxError(source.name, lines_before, "not UTF-8 text (the file ends inside a character)") from None


# -- parsing ------------------------------------------------------------------------------------


@contextmanager
def _parsed(source: SourceFile, *, rename_blank_nodes: bool) -> Iterator[Iterator[ox.Quad]]:
    """pyoxigraph's streaming parser over the file, errors turned into :class:`DataSyntaxError`."""
    with _input(source) as where:
        parser = ox.parse(**where, format=source.rdf_format, base_iri=None, rename_blank_nodes=rename_blank_nodes)

        def quads() -> Iterator[ox.Quad]:
            try:
                yield from parser
            except SyntaxError as error:
                raise syntax_error(source, error) from None

        yield quads()


class _Where(TypedDict, total=False):
    """The keyword arguments of ``ox.parse`` that say where to read: one of ``input`` and ``path``."""

    input: IO[bytes]
    path: Path


@contextmanager
def _input(source: SourceFile) -> Iterator[_Where]:
    """How pyoxigraph should read the file: by path (in native code), or as a stream for ``.gz``."""
    if source.compressed:
        with source.open() as stream:
            yield {"input": stream}
    else:
        yield {"path": source.path}


def syntax_error(source: SourceFile, error: SyntaxError) -> DataSyntaxError:
    """A pyoxigraph parse error as a one-line error naming the file and, where known, line and column."""
    return DataSyntaxError(source.name, error.lineno, _reason(error), column=error.offset)


def _checked(source: SourceFile, quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads, after refusing literals whose text is not a value of their XSD datatype
    (``"2018-13-45"^^xsd:date``) or is beyond what gcmgraph's tools can handle (a 5,000-digit
    integer, the year 99999999999)."""
    checked = checked_datatypes()
    literal_type = ox.Literal
    for quad in quads:
        obj = quad.object
        if type(obj) is literal_type:
            datatype = obj.datatype.value
            if datatype in checked:
                problem = out_of_range(obj.value, datatype)
                if problem is None and not is_valid(obj.value, datatype):
                    problem = f"is not a valid {compact(datatype)}"
                if problem:
                    shown = obj.value if len(obj.value) <= 40 else obj.value[:20] + "…" + obj.value[-8:]
                    raise DataSyntaxError(source.name, _line_of_literal(source, obj.value), f"{shown!r} {problem}")
        yield quad


def _line_of_literal(source: SourceFile, value: str) -> int | None:
    """The line where ``value`` is first written as a quoted literal (for the error message)."""
    first = value.split("\n", 1)[0]
    pattern = re.compile(r"[\"'>]" + re.escape(first) + r"(?:[\"'<]|$)")
    with source.open() as stream:
        for number, raw in enumerate(stream, start=1):
            if pattern.search(raw.decode("utf-8", "replace").rstrip("\r\n")):
                return number
    return None


def _placed(source: SourceFile, quad: ox.Quad) -> ox.Quad:
    """The quad in the file's named graph (or, for a graph the file names itself, beneath it)."""
    graph = quad.graph_name
    if isinstance(graph, ox.DefaultGraph):
        target = ox.NamedNode(source.graph)
    else:
        written = graph.value if isinstance(graph, ox.NamedNode) else f"_:{graph.value}"
        target = ox.NamedNode(f"{source.graph}/{urllib.parse.quote(written, safe='')}")
    return ox.Quad(quad.subject, quad.predicate, quad.object, target)


def iter_quads(source: SourceFile) -> Iterator[ox.Quad]:
    """Every quad of one file, checked and placed in the file's named graph, as a stream.

    Blank nodes get fresh labels, so two files never share one by accident.
    """
    _check_text(source)
    with _parsed(source, rename_blank_nodes=True) as quads:
        for quad in _checked(source, quads):
            yield _placed(source, quad)


def parse_source(source: SourceFile) -> list[ox.Quad]:
    """All quads of one file, in the file's named graph (for small files; see :func:`iter_quads`)."""
    return list(iter_quads(source))


def load_into(store: ox.Store, sources: Sequence[SourceFile]) -> dict[str, int]:
    """Check every file and load it into its named graph of ``store``; return each file's quad count.

    One streaming pass per file parses it, checks every literal, gives blank nodes fresh labels
    and places the quads (:func:`iter_quads`); they reach pyoxigraph's bulk loader in chunks of
    :data:`BULK_CHUNK`, so memory stays bounded whatever the files' size, and each file is parsed
    once (twice as fast as checking a file and then bulk-loading it from its path).
    """
    counts: dict[str, int] = {}

    def stream() -> Iterator[ox.Quad]:
        for source in sources:
            limits.check(f"reading {source.name}")
            count = 0
            for quad in iter_quads(source):
                count += 1
                if not count & 0xFFFF:
                    limits.check(f"reading {source.name}")
                yield quad
            counts[source.graph] = count

    quads = stream()
    while (first := next(quads, None)) is not None:
        store.bulk_extend(itertools.chain((first,), itertools.islice(quads, BULK_CHUNK - 1)))
    return counts


def _reason(error: SyntaxError) -> str:
    message = str(error.msg if error.msg else error)
    # pyoxigraph prefixes "Parser error at line X between columns A and B: " and suffixes
    # " (line X)"; the position is already in the error's place, so keep only the reason.
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    if message.endswith(")") and " (line " in message:
        message = message[: message.rindex(" (line ")]
    if "No scheme found in an absolute IRI" in message:
        message += " (relative IRIs are not allowed: write the full IRI)"
    if "LoadDocumentCallback" in message:
        message = "a remote JSON-LD @context is never fetched; put the context in the file"
    return message


def default_sources() -> list[Path]:
    """The bundled ontology and every bundled data file (the shapes are not data)."""
    return [ontology_file(), *sorted(data_dir().glob("*.ttl"))]


def resolve_sources(data: Sequence[Path | str] | None = None) -> list[SourceFile]:
    """The files a graph is built from: the bundled ones, or the ontology plus the user's files."""
    if not data:
        paths = default_sources()
    else:
        paths = expand_paths(data)
        if ontology_file().resolve() not in paths:
            paths.insert(0, ontology_file().resolve())
    memo = cache.DigestMemo()
    sources = [read_source(path, memo) for path in paths]
    memo.save()
    return sources


# -- reading every problem of a file at once (for validate) -------------------------------------

#: A file with more syntax errors than this is not read further: the rest would be noise.
MAX_SYNTAX_ERRORS = 50


@dataclass(frozen=True)
class IllTypedLiteral:
    """A literal whose text is not a value of its XSD datatype, and the line it is written on."""

    quad: ox.Quad
    line: int | None
    reason: str


@dataclass(frozen=True)
class FileReading:
    """Everything a file's statements and problems: the statements the parser could read (all of
    them when ``errors`` is empty), every syntax error, and the ill-typed literals."""

    quads: list[ox.Quad]
    errors: list[DataSyntaxError]
    ill_typed: list[IllTypedLiteral]


def read_all_problems(source: SourceFile) -> FileReading:
    """Parse a file without stopping at the first error: pyoxigraph's Turtle parser resumes after a
    syntax error, so every error is reported (up to ``MAX_SYNTAX_ERRORS``). Only the first error
    of a line counts: the parser's next complaints on that line follow from it. Ill-typed literals
    do not stop the reading: they are listed with their line and kept in ``quads``. A binary or
    non-UTF-8 file is one error at its line, as when it is loaded."""
    try:
        _check_text(source)
    except DataSyntaxError as error:
        return FileReading([], [error], [])
    parser = ox.parse(source.content, format=source.rdf_format, base_iri=None, rename_blank_nodes=True)
    quads: list[ox.Quad] = []
    errors: dict[int | None, DataSyntaxError] = {}
    while len(errors) < MAX_SYNTAX_ERRORS:
        try:
            triple = next(parser)  # a triple, or a quad for TriG and N-Quads
        except StopIteration:
            break
        except SyntaxError as error:
            errors.setdefault(
                error.lineno, DataSyntaxError(source.name, error.lineno, _reason(error), column=error.offset)
            )
            continue
        quads.append(_placed(source, triple))
    if len(errors) == MAX_SYNTAX_ERRORS:
        last = list(errors.values())[-1]
        reason = f"more than {MAX_SYNTAX_ERRORS} errors; not read further"
        errors[None] = DataSyntaxError(source.name, last.line, reason)
    rdf_1_1 = [q for q in quads if not (isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple))]
    if len(rdf_1_1) < len(quads) and len(errors) < MAX_SYNTAX_ERRORS:
        # Valid RDF 1.2, which the SHACL engines and owlrl cannot read: the file is skipped, and
        # only its RDF 1.1 statements are recovered.
        line = next((n for n, text in enumerate(source.content.splitlines(), 1) if b"<<" in text), None)
        reason = "an RDF 1.2 triple term (<< ... >>): validation reads RDF 1.1 only"
        errors.setdefault(line, DataSyntaxError(source.name, line, reason))
    return FileReading(rdf_1_1, list(errors.values()), _ill_typed(source, rdf_1_1))


def _literal_problem(literal: ox.Literal) -> str | None:
    """Why a literal of a checked datatype cannot be used (ill-typed, or out of range), or None."""
    datatype = literal.datatype.value
    problem = out_of_range(literal.value, datatype)
    if problem is None and not is_valid(literal.value, datatype):
        problem = f"is not a valid {compact(datatype)}"
    return None if problem is None else f"{literal.value!r} {problem}"


def _ill_typed(source: SourceFile, quads: list[ox.Quad]) -> list[IllTypedLiteral]:
    checked = checked_datatypes()
    # literal_lines gives only the quads whose object is a literal
    return [
        IllTypedLiteral(quad, line, _literal_problem(cast(ox.Literal, quad.object)) or "")
        for quad, line in literal_lines(
            source, quads, lambda literal: literal.datatype.value in checked and _literal_problem(literal) is not None
        )
    ]


#: Strings (to keep), IRIs and comments (to blank out before looking for a literal's text).
_COMMENTS_AND_IRIS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^>\s]*>|#[^\n]*"
)


def _blank(match: re.Match[str]) -> str:
    text = match.group()
    return text if text[0] in "\"'" else re.sub(r"[^\n]", " ", text)


def literal_lines(
    source: SourceFile, quads: Sequence[ox.Quad], wanted: Callable[[ox.Literal], bool]
) -> list[tuple[ox.Quad, int | None]]:
    """The quads whose object is a ``wanted`` literal, each with the line where it is written.

    The parser gives no position for a statement, so the line is found in the text: the n-th
    statement with a literal is taken to be written at the n-th place its text appears (quoted, or
    bare for numbers and booleans) outside comments and IRIs."""
    text = _COMMENTS_AND_IRIS.sub(_blank, source.content.decode("utf-8"))
    seen: dict[ox.Literal, int] = {}
    located = []
    for quad in quads:
        literal = quad.object
        if not isinstance(literal, ox.Literal) or not wanted(literal):
            continue
        value = re.escape(literal.value)
        pattern = rf"([\"']){value}\1|(?<![\w.:\"'-]){value}(?![\w.:\"'])"
        lines = [text.count("\n", 0, match.start()) + 1 for match in re.finditer(pattern, text)]
        occurrence = seen[literal] = seen.get(literal, -1) + 1
        located.append((quad, lines[min(occurrence, len(lines) - 1)] if lines else None))
    return located
