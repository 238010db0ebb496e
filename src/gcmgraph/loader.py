"""Strict reading of Turtle files into quads, one named graph per file.

pyoxigraph's parser rejects what the W3C Turtle test suite says is invalid (rdflib accepts 39 of
those 94 files). Every file is parsed without a base IRI, so a relative IRI is an error instead of
silently resolving against a local path. Errors name the file, line and column.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import DataSyntaxError, InputFileError
from .lexical import checked_datatypes, is_valid
from .namespaces import compact
from .paths import data_dir, display_path, graph_name, ontology_file

#: Files larger than this are refused before parsing (the bundled data is well under 2 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
RDF_SUFFIXES = (".ttl",)


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file: where it is, how users see its name, its named graph and its bytes."""

    path: Path
    name: str
    graph: str
    content: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the ``*.ttl`` files inside folders (sorted), each once."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.suffix in RDF_SUFFIXES and p.is_file())
            if not members:
                raise InputFileError(path, "folder holds no .ttl file")
            for member in members:
                found.setdefault(member.resolve(), None)
        elif path.exists():
            found.setdefault(path.resolve(), None)
        else:
            raise InputFileError(path, "no such file or folder")
    return list(found)


def read_source(path: Path) -> SourceFile:
    """Read a file's bytes and check they are non-empty UTF-8 text; does not parse."""
    name = display_path(path)
    if not path.is_file():
        raise InputFileError(name, "not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputFileError(name, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        content = path.read_bytes()
    except OSError as error:
        raise InputFileError(name, f"cannot be read ({error.strerror or error})") from None
    if not content.strip():
        raise InputFileError(name, "file is empty")
    if b"\x00" in content:
        line = content.count(b"\n", 0, content.index(b"\x00")) + 1
        raise DataSyntaxError(name, line, "binary file (NUL byte), not Turtle text")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise DataSyntaxError(name, line, f"not UTF-8 text (byte 0x{content[error.start]:02x})") from None
    return SourceFile(path=path, name=name, graph=graph_name(path), content=content)


def parse_source(source: SourceFile) -> list[ox.Quad]:
    """All triples of one file, as quads in the file's named graph."""
    graph = ox.NamedNode(source.graph)
    try:
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(source.content, format=ox.RdfFormat.TURTLE, base_iri=None, rename_blank_nodes=True)
        ]
    except SyntaxError as error:
        raise DataSyntaxError(source.name, error.lineno, _reason(error), column=error.offset) from None
    _check_literals(source, quads)
    return quads


def _check_literals(source: SourceFile, quads: list[ox.Quad]) -> None:
    """Refuse literals whose text is not a value of their XSD datatype (``"2018-13-45"^^xsd:date``)."""
    checked = checked_datatypes()
    for quad in quads:
        literal = quad.object
        datatype = literal.datatype.value if isinstance(literal, ox.Literal) else None
        if datatype in checked and not is_valid(literal.value, datatype):
            text = source.content.decode("utf-8")
            found = re.search(r"[\"']" + re.escape(literal.value) + r"[\"']", text)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            raise DataSyntaxError(source.name, line, f"{literal.value!r} is not a valid {compact(datatype)}")


def _reason(error: SyntaxError) -> str:
    message = str(error.msg if error.msg else error)
    # pyoxigraph prefixes "Parser error at line X between columns A and B: " and suffixes
    # " (line X)"; the position is already in the error's place, so keep only the reason.
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    if message.endswith(")") and " (line " in message:
        message = message[: message.rindex(" (line ")]
    if message.startswith("No scheme found in an absolute IRI"):
        message += " (relative IRIs are not allowed: write the full IRI)"
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
    return [read_source(path) for path in paths]


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
    do not stop the reading: they are listed with their line and kept in ``quads``."""
    graph = ox.NamedNode(source.graph)
    parser = ox.parse(source.content, format=ox.RdfFormat.TURTLE, base_iri=None, rename_blank_nodes=True)
    quads: list[ox.Quad] = []
    errors: dict[int | None, DataSyntaxError] = {}
    while len(errors) < MAX_SYNTAX_ERRORS:
        try:
            triple = next(parser)
        except StopIteration:
            break
        except SyntaxError as error:
            errors.setdefault(
                error.lineno, DataSyntaxError(source.name, error.lineno, _reason(error), column=error.offset)
            )
            continue
        quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    if len(errors) == MAX_SYNTAX_ERRORS:
        last = list(errors.values())[-1]
        reason = f"more than {MAX_SYNTAX_ERRORS} errors; not read further"
        errors[None] = DataSyntaxError(source.name, last.line, reason)
    return FileReading(quads, list(errors.values()), _ill_typed(source, quads))


def _ill_typed(source: SourceFile, quads: list[ox.Quad]) -> list[IllTypedLiteral]:
    checked = checked_datatypes()
    return [
        IllTypedLiteral(quad, line, f"{quad.object.value!r} is not a valid {compact(quad.object.datatype.value)}")
        for quad, line in literal_lines(
            source,
            quads,
            lambda literal: literal.datatype.value in checked and not is_valid(literal.value, literal.datatype.value),
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
