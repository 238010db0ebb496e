"""The catalogue of stored queries, their documented parameters, and safe parameter binding.

A stored query is a ``.rq`` file whose ``#+`` comment lines form a YAML header, in grlc's
conventions (``summary``, ``description``, ``tags``, ``defaults``, ``enumerate``, ``endpoint``,
``method``, ``pagination``, ``transform`` ...) plus ours: ``examples`` (values to try), ``key`` (the
variables that identify a row) and ``grlc: false`` (grlc cannot serve this query: it serves SELECT
and CONSTRUCT only). ``defaults``, ``enumerate`` and ``examples`` are read both as grlc's list of
``- name: value`` and as a mapping; IRI values both as full IRIs and as prefixed names.

Parameters are the variables grlc reads as parameters (the BASIL convention): ``?_name`` is
required, ``?__name`` optional (unbound = no restriction); a suffix gives the type: ``_iri``,
``_integer``, ``_number``, ``_literal``, ``_<prefix>_<type>`` for a datatype (``_xsd_date``), or
``_<ll>`` for a language tag (``_en``). The name itself has no ``_``. A variable grlc would read as
nonsense (``?_recorded_vote_iri``: parameter ``recorded`` typed ``vote:iri``) keeps gcmgraph's
earlier reading (``recorded_vote``, an IRI), and its :attr:`Parameter.grlc_note` says how grlc
differs. Values become RDF terms in a ``VALUES`` block, never spliced into the text.

Any ``.rq`` file runs, header or not; only the stored catalogue requires a ``summary``. Header and
file are untrusted text: both are size-capped, and the YAML reader refuses anchors and aliases
and keeps every value as the text the author wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
import yaml

from .errors import QueryFileError, QueryParameterError, UnknownQueryError
from .lexical import XSD, is_valid
from .limits import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_S,
    MAX_HEADER_CHARS,
    MAX_HEADER_DEPTH,
    MAX_PARAMETER_CHARS,
    MAX_PARAMETER_VALUES,
    MAX_QUERY_FILE_BYTES,
)
from .namespaces import compact, expand
from .paths import display_path, queries_dir
from .results import QueryResult
from .sources import GraphSource
from .sparql_text import (
    InjectionError,
    declared_prefixes,
    inject_values,
    projected_variables,
    query_form,
    values_block,
    variables,
)

#: grlc's documented decorators, and ours.
GRLC_KEYS = frozenset(
    {
        "summary",
        "description",
        "tags",
        "defaults",
        "enumerate",
        "endpoint",
        "method",
        "pagination",
        "transform",
        "endpoint_in_url",
        "endpoint-method",
        "mime",
    }
)
HEADER_KEYS = GRLC_KEYS | {"examples", "key", "grlc"}
#: The query forms grlc serves; a stored query of another form says ``#+ grlc: false``.
GRLC_FORMS = ("SELECT", "CONSTRUCT")

_PARAM = re.compile(r"(__?)([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)")
# grlc's own pattern for a parameter variable (gquery.get_parameters), without its leading '?'.
_GRLC_PARAM = re.compile(
    r"(?P<required>_{1,2})(?P<name>[a-zA-Z0-9]+)(_(?P<type>iri|number|literal|integer))?"
    r"(_(?P<prefix>[a-zA-Z0-9]+)_(?P<userdefined>[a-zA-Z0-9]+))?(_(?P<lang>[a-zA-Z0-9]+))?"
)
_SHORTHANDS = {"integer": "integer", "decimal": "decimal", "boolean": "boolean", "int": "integer"}
_LANGUAGE = re.compile(r"[a-z]{2}")
# SPARQL's numeric literals (INTEGER, DECIMAL, DOUBLE, signed), which grlc splices for ``_number``.
_NUMBERS = (
    ("integer", re.compile(r"[+-]?[0-9]+")),
    ("decimal", re.compile(r"[+-]?[0-9]*\.[0-9]+")),
    ("double", re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+")),
)


@dataclass(frozen=True)
class Parameter:
    """One parameter of a query, read from its variable name and the header."""

    name: str
    variable: str
    required: bool
    kind: str  # "iri", "literal", "typed", "lang" or "number"
    datatype: str | None = None
    language: str | None = None
    default: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    example: str | None = None
    grlc_note: str | None = None  # how grlc reads the variable, where it differs from gcmgraph

    @property
    def type_label(self) -> str:
        if self.kind == "iri":
            return "IRI"
        if self.kind == "typed" and self.datatype:
            return "xsd:" + self.datatype.removeprefix(XSD) if self.datatype.startswith(XSD) else self.datatype
        if self.kind == "lang":
            return f"text@{self.language}"
        if self.kind == "number":
            return "number"
        return "text"

    def _shown(self, value: str) -> str:
        """An IRI as the prefixed name ``-p`` also accepts; any other value as written."""
        return compact(value) if self.kind == "iri" else value

    def usage(self) -> str:
        """``state=<IRI> (required, e.g. state:che)``"""
        notes = ["required" if self.required and not self.default else "optional"]
        if self.default:
            notes.append("default " + ", ".join(map(self._shown, self.default)))
        if self.allowed:
            notes.append("one of " + ", ".join(map(self._shown, self.allowed)))
        if self.example:
            notes.append("e.g. " + self._shown(self.example))
        return f"{self.name}=<{self.type_label}> ({'; '.join(notes)})"


@dataclass(frozen=True)
class StoredQuery:
    """A query file with its documentation (a file without a header has only its parameters)."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    form: str
    header: Mapping[str, object] = field(default_factory=dict, compare=False)
    key: tuple[str, ...] = ()
    has_header: bool = True

    @property
    def display_path(self) -> str:
        return display_path(self.path)

    @property
    def grlc_serves(self) -> bool:
        """False when the header says ``grlc: false`` (grlc serves SELECT and CONSTRUCT only)."""
        return self.header.get("grlc") != "false"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


# -- the header ----------------------------------------------------------------------------------


class _Refused(yaml.MarkedYAMLError):
    """YAML that is well-formed but refused in a header (an anchor, an alias, deep nesting)."""


class _HeaderLoader(yaml.BaseLoader):
    """YAML that stays small and literal: no anchors or aliases, bounded nesting, no implicit types
    (every scalar is the text the author wrote, so ``yes`` stays ``yes`` and ``012`` stays ``012``)."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # types-PyYAML leaves Parser.peek_event unannotated; while composing it is the next event.
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                problem="YAML anchors and aliases ('&', '*') are not allowed in a query header",
                problem_mark=event.start_mark,
            )
        self.depth += 1
        if self.depth > MAX_HEADER_DEPTH:
            raise _Refused(problem=f"header nests deeper than {MAX_HEADER_DEPTH} levels", problem_mark=event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _header_lines(text: str, origin: str) -> tuple[list[str], list[int]]:
    """The header's YAML lines and their line numbers in the file.

    As grlc does, a header line is one that starts with ``#+`` in the first column, with the
    ``#`` and ``+`` characters stripped; comment and blank lines may sit between them. A ``#+``
    line after the SPARQL text has begun, or indented, would be read differently by grlc, so it
    is an error here.
    """
    lines: list[str] = []
    numbers: list[int] = []
    in_body = False
    size = 0
    for number, raw in enumerate(text.split("\n"), start=1):  # grlc splits at "\n" only
        raw = raw.removesuffix("\r")
        stripped = raw.strip()
        if raw.startswith("#+"):
            if in_body:
                raise QueryFileError(origin, "'#+' header line after the SPARQL text; move it to the top", line=number)
            size += len(raw)
            if size > MAX_HEADER_CHARS:
                raise QueryFileError(origin, f"header is longer than {MAX_HEADER_CHARS} characters", line=number)
            lines.append(raw.lstrip("#+"))
            numbers.append(number)
        elif stripped.startswith("#+") and not in_body:
            raise QueryFileError(origin, "header lines start with '#+' in the first column", line=number)
        elif stripped and not stripped.startswith("#"):
            in_body = True
    return lines, numbers


def read_header(
    text: str, origin: str, *, allowed: frozenset[str] = HEADER_KEYS, required: str | None = "summary"
) -> dict[str, object]:
    """The YAML header of a query file ({} if it has none and nothing is required); errors name the
    file and line."""
    lines, numbers = _header_lines(text, origin)
    if not lines:
        if required:
            raise QueryFileError(origin, f"no '#+ {required}: ...' header", line=1)
        return {}
    try:
        header = yaml.load("\n".join(lines), Loader=_HeaderLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = numbers[min(mark.line, len(numbers) - 1)] if mark is not None else numbers[0]
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        reason = problem if isinstance(error, _Refused) else f"header is not valid YAML ({problem})"
        raise QueryFileError(origin, reason, line=line) from None
    if header is None or header == "":
        header = {}
    if not isinstance(header, dict):
        raise QueryFileError(origin, "header must be YAML 'key: value' lines", line=numbers[0])
    unknown = sorted(set(map(str, header)) - allowed)
    if unknown:
        raise QueryFileError(origin, f"unknown header key(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
    if required:
        value = header.get(required)
        if not isinstance(value, str) or not value.strip():
            raise QueryFileError(origin, f"header needs a one-line '{required}'", line=numbers[0])
    return header


def _texts(value: object) -> tuple[str, ...] | None:
    """A scalar or a list of scalars as texts; None for anything else."""
    values = value if isinstance(value, list) else [value]
    if all(isinstance(v, str) for v in values):
        return tuple(values)
    return None


def _per_parameter(header: Mapping[str, object], key: str, origin: str) -> dict[str, tuple[str, ...]]:
    """``defaults``/``enumerate``/``examples`` as name -> values, from grlc's list of ``- name: value``
    or from a mapping. In ``enumerate``, a bare name (grlc fills its list from the endpoint) gives ()."""
    raw = header.get(key)
    if raw is None or raw == "":
        return {}
    pairs: list[tuple[object, object]] = []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict):
                pairs += entry.items()
            elif isinstance(entry, str) and key == "enumerate":
                pairs.append((entry, []))
            else:
                raise QueryFileError(origin, f"header '{key}' must be a list of '- name: value'")
    else:
        raise QueryFileError(origin, f"header '{key}' must be a list of '- name: value'")
    table: dict[str, tuple[str, ...]] = {}
    for name, value in pairs:
        values = _texts(value)
        if values is None:
            raise QueryFileError(origin, f"header '{key}': the value of '{name}' must be text or a list of texts")
        table[str(name)] = values
    return table


def _key(header: Mapping[str, object], text: str, origin: str) -> tuple[str, ...]:
    """The header's ``key``: the result variables that identify a row."""
    raw = header.get("key")
    if raw is None or raw == "":
        return ()
    names = _texts(raw)
    if names is None:
        raise QueryFileError(origin, "header 'key' must list variable names, e.g. 'key: [event]'")
    names = tuple(n.removeprefix("?") for n in names)
    known = projected_variables(text)
    known = variables(text) if known is None else known
    stray = [n for n in names if n not in known]
    if stray:
        raise QueryFileError(origin, f"header 'key' names {', '.join(stray)}, which the query does not return")
    return names


# -- parameters ----------------------------------------------------------------------------------


def _grlc_reading(variable: str) -> str:
    """How grlc reads a parameter variable, in words (for notes on the variables it misreads)."""
    match = _GRLC_PARAM.match(variable)
    if match is None:
        return "not as a parameter"
    words = f"as parameter '{match['name']}'"
    if match["type"]:
        words += f" of type {match['type']}"
    if match["prefix"]:
        words += f" typed {match['prefix']}:{match['userdefined']}"
    if match["lang"]:
        words += f" in language '{match['lang']}'"
    if match.end() < len(variable):
        words += f", ignoring '{variable[match.end() :]}'"
    return words


def _as_grlc(variable: str, prefixes: Mapping[str, str]) -> tuple[str, str, str | None, str | None] | None:
    """(name, kind, datatype, language) as grlc reads the variable, or None where grlc's reading
    is not a sensible one (an undeclared datatype prefix, a language that is no language code,
    two types at once, or a part of the name it ignores)."""
    match = _GRLC_PARAM.fullmatch(variable)
    if match is None or sum(bool(match[g]) for g in ("type", "prefix", "lang")) > 1:
        return None
    name = match["name"]
    if match["type"] == "iri":
        return name, "iri", None, None
    if match["type"] == "integer":
        return name, "typed", XSD + "integer", None
    if match["type"] == "number":
        return name, "number", None, None
    if match["prefix"]:
        namespace = XSD if match["prefix"] == "xsd" else prefixes.get(match["prefix"])
        return (name, "typed", namespace + match["userdefined"], None) if namespace else None
    if match["lang"]:
        return (name, "lang", None, match["lang"]) if _LANGUAGE.fullmatch(match["lang"]) else None
    return name, "literal", None, None  # no suffix, or "_literal"


def _as_before(parts: list[str]) -> tuple[str, str, str | None, str | None]:
    """gcmgraph's reading before it followed grlc: the name may hold '_'."""
    if len(parts) > 1 and parts[-1] == "iri":
        return "_".join(parts[:-1]), "iri", None, None
    if len(parts) > 2 and parts[-2] == "xsd":
        return "_".join(parts[:-2]), "typed", XSD + parts[-1], None
    if len(parts) > 1 and parts[-1] in _SHORTHANDS:
        return "_".join(parts[:-1]), "typed", XSD + _SHORTHANDS[parts[-1]], None
    if len(parts) > 1 and _LANGUAGE.fullmatch(parts[-1]):
        return "_".join(parts[:-1]), "lang", None, parts[-1]
    return "_".join(parts), "literal", None, None


def _parameter(variable: str, prefixes: Mapping[str, str], origin: str) -> Parameter | None:
    """The parameter a variable stands for (None for an ordinary variable)."""
    if not variable.startswith("_"):
        return None
    match = _PARAM.fullmatch(variable)
    if not match:
        raise QueryFileError(origin, f"parameter ?{variable}: names are letters and digits joined by '_'")
    note = None
    reading = _as_grlc(variable, prefixes)
    if reading is None:
        reading = _as_before(match.group(2).split("_"))
        note = f"grlc reads ?{variable} {_grlc_reading(variable)}; gcmgraph reads it as parameter '{reading[0]}'"
    name, kind, datatype, language = reading
    return Parameter(
        name=name,
        variable=variable,
        required=match.group(1) == "_",
        kind=kind,
        datatype=datatype,
        language=language,
        grlc_note=note,
    )


def _parameters(text: str, header: Mapping[str, object], origin: str) -> tuple[Parameter, ...]:
    """The query's parameters in order of first use, with their defaults, allowed values and examples."""
    prefixes = declared_prefixes(text)
    found: dict[str, Parameter] = {}
    for variable in variables(text):
        param = _parameter(variable, prefixes, origin)
        if param is None:
            continue
        other = found.get(param.name)
        if other is not None and other.variable != variable:
            raise QueryFileError(origin, f"parameter '{param.name}' is written both ?{other.variable} and ?{variable}")
        found[param.name] = param
    tables = {key: _per_parameter(header, key, origin) for key in ("defaults", "enumerate", "examples")}
    for key, table in tables.items():
        stray = sorted(set(table) - set(found))
        if stray:
            raise QueryFileError(origin, f"header '{key}' names unknown parameter(s) {', '.join(stray)}")
    defaults, allowed, examples = tables["defaults"], tables["enumerate"], tables["examples"]
    return tuple(
        replace(
            param,
            default=defaults.get(name, ()),
            allowed=allowed.get(name, ()),
            example=(examples.get(name) or allowed.get(name) or defaults.get(name) or (None,))[0],
        )
        for name, param in found.items()
    )


# -- files and the catalogue ---------------------------------------------------------------------


def _too_large(origin: str) -> QueryFileError:
    return QueryFileError(origin, f"is larger than {MAX_QUERY_FILE_BYTES} bytes; a query file is SPARQL text")


def read_query_text(path: Path) -> str:
    """The text of a ``.rq`` file, at most MAX_QUERY_FILE_BYTES long; errors name the file."""
    origin = display_path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_QUERY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise QueryFileError(origin, "no such query file") from None
    except IsADirectoryError:
        raise QueryFileError(origin, "is a folder, not a query file") from None
    except OSError as error:
        raise QueryFileError(origin, f"cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_QUERY_FILE_BYTES:
        raise _too_large(origin)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QueryFileError(origin, "not UTF-8 text") from None


def _first_comment(text: str) -> str:
    """The first comment line that is not a header line (Wikidata's examples start with a title)."""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#+"):
            continue
        if stripped.startswith("#"):
            words = stripped.lstrip("#").strip()
            return words.removeprefix("title:").strip() if words else ""
        if stripped:
            return ""
    return ""


def load_query(path: Path, name: str | None = None, *, stored: bool = True) -> StoredQuery:
    """Read one query file; a stored one (``stored``) needs a header with a summary. Errors name
    the file (and line)."""
    return parse_query(read_query_text(path), path, name, stored=stored)


def parse_query(text: str, path: Path, name: str | None = None, *, stored: bool = True) -> StoredQuery:
    """A query from its text (``path`` names it in errors); see :func:`load_query`."""
    origin = display_path(path)
    if len(text) > MAX_QUERY_FILE_BYTES:
        raise _too_large(origin)
    header = read_header(text, origin, required="summary" if stored else None)
    if header.get("grlc") not in (None, "false"):
        raise QueryFileError(origin, "header 'grlc' can only be 'false' (grlc cannot serve this query)")
    tags = _texts(header.get("tags") or [])
    if tags is None:
        raise QueryFileError(origin, "header 'tags' must be a list of words")
    summary = header.get("summary")
    return StoredQuery(
        name=name or path.stem,
        path=path,
        summary=" ".join(summary.split()) if isinstance(summary, str) else _first_comment(text),
        description=str(header.get("description") or "").strip(),
        tags=tags,
        parameters=_parameters(text, header, origin),
        text=text,
        form=query_form(text),
        header=header,
        key=_key(header, text, origin),
        has_header=bool(header),
    )


def catalogue(folder: Path | None = None) -> list[StoredQuery]:
    """Every stored query in the folder (default: the bundled queries/), sorted by name."""
    folder = folder or queries_dir()
    return [load_query(path) for path in sorted(folder.glob("*.rq"))]


def find_query(name_or_path: str, folder: Path | None = None) -> StoredQuery:
    """A stored query by name, or any ``.rq`` file by path (header optional)."""
    candidate = Path(name_or_path)
    if name_or_path.endswith(".rq") or "/" in name_or_path or candidate.is_file():
        return load_query(candidate, stored=False)
    folder = folder or queries_dir()
    path = folder / f"{name_or_path}.rq"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name_or_path) or not path.is_file():
        raise UnknownQueryError(name_or_path, [p.stem for p in sorted(folder.glob("*.rq"))])
    return load_query(path)


# -- binding -------------------------------------------------------------------------------------


def _shown(raw: str) -> str:
    """A value quoted for a one-line message, shortened when long."""
    return repr(raw) if len(raw) <= 60 else repr(raw[:57]) + "..."


def to_term(query: StoredQuery, param: Parameter, raw: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term, checked against the parameter's type."""

    def fail(reason: str) -> QueryParameterError:
        return QueryParameterError(query.name, param.name, reason)

    if len(raw) > MAX_PARAMETER_CHARS:
        raise fail(f"value is {len(raw)} characters long; at most {MAX_PARAMETER_CHARS} are allowed")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise fail(f"{_shown(raw)} is not valid Unicode text") from None
    if param.kind == "iri":
        value = raw.strip()
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
            expanded = expand(value, declared_prefixes(query.text))
            if expanded is None:
                example = param.example or "state:che"
                raise fail(f"{_shown(raw)} is not an IRI or a known prefixed name (e.g. {example})")
            value = expanded
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f]*", value):
            raise fail(f"{_shown(raw)} is not a valid IRI")
        try:
            return ox.NamedNode(value)
        except ValueError as error:
            raise fail(f"{_shown(raw)} is not a valid IRI ({error})") from None
    if param.kind == "lang":
        return ox.Literal(raw, language=param.language)
    if param.kind == "number":
        datatype = next((kind for kind, pattern in _NUMBERS if pattern.fullmatch(raw)), None)
        if datatype is None:
            raise fail(f"{_shown(raw)} is not a number (write e.g. 42, 4.2 or 4.2e1)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + datatype))
    if param.kind == "typed" and param.datatype:
        if not is_valid(raw, param.datatype):
            hint = " (write e.g. 2018-12-10)" if param.datatype == XSD + "date" else ""
            raise fail(f"{_shown(raw)} is not an {param.type_label}{hint}")
        return ox.Literal(raw, datatype=ox.NamedNode(param.datatype))
    return ox.Literal(raw)


def bind(query: StoredQuery, params: Mapping[str, Sequence[str]]) -> str:
    """The query text with every given (or default) parameter bound in a ``VALUES`` block."""
    expected = {p.name: p for p in query.parameters}
    usage = "; ".join(p.usage() for p in query.parameters) or "none"
    for name in params:
        if name not in expected:
            shown = name if len(name) <= 60 else name[:57] + "..."
            raise QueryParameterError(query.name, shown, f"unknown parameter; expected: {usage}")
    blocks: list[str] = []
    for param in query.parameters:
        values = list(params.get(param.name, ())) or list(param.default)
        if not values:
            if param.required:
                raise QueryParameterError(query.name, param.name, f"missing; expected: {usage}")
            continue
        if len(values) > MAX_PARAMETER_VALUES:
            raise QueryParameterError(
                query.name, param.name, f"{len(values)} values given; at most {MAX_PARAMETER_VALUES} are allowed"
            )
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise QueryParameterError(query.name, param.name, f"value {_shown(value)} given twice")
            seen.add(value)
        terms = [to_term(query, param, value) for value in values]
        if param.allowed:
            allowed = {to_term(query, param, a) for a in param.allowed}
            for value, term in zip(values, terms, strict=True):
                if term not in allowed:
                    raise QueryParameterError(
                        query.name, param.name, f"{_shown(value)} is not one of {', '.join(param.allowed)}"
                    )
        blocks.append(values_block(param.variable, terms))
    try:
        return inject_values(query.text, blocks)
    except InjectionError as error:
        raise QueryFileError(query.display_path, str(error)) from None


#: ``SEPARATOR="; ") AS ?name``: the column a GROUP_CONCAT gathers into, in the convention of
#: the stored queries (README, "Adding a query").
_GATHERED = re.compile(r'SEPARATOR\s*=\s*"; "\s*\)\s*AS\s+[?$](\w+)', re.IGNORECASE)


def gathered_columns(text: str) -> tuple[str, ...]:
    """The columns of a query that gather several values into one cell, in the stored queries'
    convention ``GROUP_CONCAT(...; SEPARATOR="; ") AS ?name``."""
    return tuple(dict.fromkeys(_GATHERED.findall(text)))


def run_query(
    graph: GraphSource,
    query: StoredQuery | str,
    params: Mapping[str, Sequence[str]] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    allow_outside: bool = False,
) -> QueryResult:
    """Run a query (by object, stored name or file path) with its parameters bound as RDF terms;
    cells that gather values (``GROUP_CONCAT(...; SEPARATOR="; ") AS ?x``) come in sorted order."""
    stored = find_query(query) if isinstance(query, str) else query
    text = bind(stored, params or {})
    result = graph.query(
        text, timeout=timeout, max_rows=max_rows, allow_outside=allow_outside, origin=stored.display_path
    )
    return result.with_gathered_sorted(gathered_columns(text))
