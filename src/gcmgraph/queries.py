"""The catalogue of stored queries, their documented parameters, and safe parameter binding.

A stored query is a ``.rq`` file whose first comment lines ``#+ ...`` form a YAML header (grlc's
convention: ``summary``, ``description``, ``tags``, ``defaults``, ``enumerate``; plus our
``examples``). Parameters follow the BASIL convention: ``?_name`` is required, ``?__name`` is
optional (unbound = no restriction), and a suffix gives the type: ``_iri``; ``_integer``,
``_decimal``, ``_boolean`` (shorthands for XSD types); ``_xsd_<type>`` for any XSD datatype in
full (``_xsd_date``); ``_<ll>`` (two letters) for a literal with that language tag; none for a plain
string. Values are turned into RDF terms and written into a ``VALUES`` block, never spliced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml

from .errors import QueryFileError, QueryParameterError, UnknownQueryError
from .lexical import XSD, is_valid
from .limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S
from .namespaces import expand
from .paths import display_path, queries_dir
from .results import QueryResult
from .sources import GraphSource
from .sparql_text import (
    InjectionError,
    declared_prefixes,
    inject_values,
    query_form,
    values_block,
    variables,
)

HEADER_KEYS = frozenset(
    {"summary", "description", "tags", "defaults", "enumerate", "examples",
     "endpoint", "method", "pagination", "transform", "endpoint_in_url"}
)  # fmt: skip
_PARAM = re.compile(r"^(__?)([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)$")
_SHORTHANDS = {"integer": "integer", "decimal": "decimal", "boolean": "boolean", "int": "integer"}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a stored query, read from its variable name and header."""

    name: str
    variable: str
    required: bool
    kind: str  # "iri", "literal", "typed" or "lang"
    datatype: str | None = None
    language: str | None = None
    default: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    example: str | None = None

    @property
    def type_label(self) -> str:
        if self.kind == "iri":
            return "IRI"
        if self.kind == "typed" and self.datatype:
            return "xsd:" + self.datatype.removeprefix(XSD)
        if self.kind == "lang":
            return f"text@{self.language}"
        return "text"

    def usage(self) -> str:
        """``state=<IRI> (required, e.g. state:che)``"""
        notes = ["required" if self.required and not self.default else "optional"]
        if self.default:
            notes.append("default " + ", ".join(self.default))
        if self.allowed:
            notes.append("one of " + ", ".join(self.allowed))
        if self.example:
            notes.append("e.g. " + self.example)
        return f"{self.name}=<{self.type_label}> ({'; '.join(notes)})"


@dataclass(frozen=True)
class StoredQuery:
    """A query file with its documentation."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    form: str
    header: Mapping[str, object] = field(default_factory=dict, compare=False)

    @property
    def display_path(self) -> str:
        return display_path(self.path)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def read_header(
    text: str, origin: str, *, allowed: frozenset[str] = HEADER_KEYS, required: str = "summary"
) -> dict[str, object]:
    """The YAML header of a query file; errors name the file and line."""
    lines: list[str] = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped == "" or stripped.startswith("#"):
            if lines:
                break
        else:
            break
    if not lines:
        raise QueryFileError(origin, f"no '#+ {required}: ...' header", line=1)
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise QueryFileError(origin, f"header is not valid YAML ({problem})", line=line) from None
    if not isinstance(header, dict):
        raise QueryFileError(origin, "header must be YAML 'key: value' lines", line=1)
    unknown = sorted(set(map(str, header)) - allowed)
    if unknown:
        raise QueryFileError(origin, f"unknown header key(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
    value = header.get(required)
    if not isinstance(value, str) or not value.strip():
        raise QueryFileError(origin, f"header needs a one-line '{required}'", line=1)
    return header


def _per_parameter(header: Mapping[str, object], key: str, origin: str) -> dict[str, tuple[str, ...]]:
    """``defaults``/``enumerate``/``examples`` as name -> values; accepts grlc's list form."""
    raw = header.get(key)
    if raw is None:
        return {}
    items: list[tuple[object, object]] = []
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(i, dict) for i in raw):
        items = [pair for entry in raw for pair in entry.items()]
    else:
        raise QueryFileError(origin, f"header '{key}' must map parameter names to values")
    table: dict[str, tuple[str, ...]] = {}
    for name, value in items:
        values = value if isinstance(value, list) else [value]
        table[str(name)] = tuple(str(v) for v in values)
    return table


def _parameter(variable: str, header: Mapping[str, object], origin: str) -> Parameter | None:
    match = _PARAM.match(variable)
    if not variable.startswith("_"):
        return None
    if not match:
        raise QueryFileError(origin, f"parameter ?{variable}: names are letters and digits joined by '_'")
    required = match.group(1) == "_"
    parts = match.group(2).split("_")
    kind, datatype, language = "literal", None, None
    if len(parts) > 1 and parts[-1] == "iri":
        kind, parts = "iri", parts[:-1]
    elif len(parts) > 2 and parts[-2] == "xsd":
        kind, datatype, parts = "typed", XSD + parts[-1], parts[:-2]
    elif len(parts) > 1 and parts[-1] in _SHORTHANDS:
        kind, datatype, parts = "typed", XSD + _SHORTHANDS[parts[-1]], parts[:-1]
    elif len(parts) > 1 and re.fullmatch(r"[a-z]{2}", parts[-1]):
        kind, language, parts = "lang", parts[-1], parts[:-1]
    name = "_".join(parts)
    defaults = _per_parameter(header, "defaults", origin)
    allowed = _per_parameter(header, "enumerate", origin)
    examples = _per_parameter(header, "examples", origin)
    example = (examples.get(name) or allowed.get(name) or defaults.get(name) or (None,))[0]
    return Parameter(
        name=name, variable=variable, required=required, kind=kind, datatype=datatype,
        language=language, default=defaults.get(name, ()), allowed=allowed.get(name, ()), example=example,
    )  # fmt: skip


def read_query_text(path: Path) -> str:
    """The text of a ``.rq`` file; errors name the file."""
    origin = display_path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryFileError(origin, "no such query file") from None
    except IsADirectoryError:
        raise QueryFileError(origin, "is a folder, not a query file") from None
    except UnicodeDecodeError:
        raise QueryFileError(origin, "not UTF-8 text") from None
    except OSError as error:
        raise QueryFileError(origin, f"cannot be read ({error.strerror or error})") from None


def load_query(path: Path, name: str | None = None) -> StoredQuery:
    """Read one stored query with its header; errors name the file (and line)."""
    origin = display_path(path)
    text = read_query_text(path)
    header = read_header(text, origin)
    params: list[Parameter] = []
    for variable in variables(text):
        param = _parameter(variable, header, origin)
        if param is not None and all(p.name != param.name for p in params):
            params.append(param)
    names = {p.name for p in params}
    for key in ("defaults", "enumerate", "examples"):
        stray = sorted(set(_per_parameter(header, key, origin)) - names)
        if stray:
            raise QueryFileError(origin, f"header '{key}' names unknown parameter(s) {', '.join(stray)}")
    tags = header.get("tags") or ()
    if isinstance(tags, str):
        tags = (tags,)
    return StoredQuery(
        name=name or path.stem,
        path=path,
        summary=" ".join(str(header["summary"]).split()),
        description=str(header.get("description") or "").strip(),
        tags=tuple(str(t) for t in tags),
        parameters=tuple(params),
        text=text,
        form=query_form(text),
        header=header,
    )


def catalogue(folder: Path | None = None) -> list[StoredQuery]:
    """Every stored query in the folder (default: the bundled queries/), sorted by name."""
    folder = folder or queries_dir()
    return [load_query(path) for path in sorted(folder.glob("*.rq"))]


def find_query(name_or_path: str, folder: Path | None = None) -> StoredQuery:
    """A stored query by name, or any ``.rq`` file by path."""
    candidate = Path(name_or_path)
    if name_or_path.endswith(".rq") or "/" in name_or_path or candidate.is_file():
        return load_query(candidate)
    folder = folder or queries_dir()
    path = folder / f"{name_or_path}.rq"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name_or_path) or not path.is_file():
        raise UnknownQueryError(name_or_path, [p.stem for p in sorted(folder.glob("*.rq"))])
    return load_query(path)


def to_term(query: StoredQuery, param: Parameter, raw: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term, checked against the parameter's type."""

    def fail(reason: str) -> QueryParameterError:
        return QueryParameterError(query.name, param.name, reason)

    if param.kind == "iri":
        value = raw.strip()
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
            expanded = expand(value, declared_prefixes(query.text))
            if expanded is None:
                raise fail(f"{raw!r} is not an IRI or a known prefixed name (e.g. {param.example or 'state:che'})")
            value = expanded
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f]*", value):
            raise fail(f"{raw!r} is not a valid IRI")
        try:
            return ox.NamedNode(value)
        except ValueError as error:
            raise fail(f"{raw!r} is not a valid IRI ({error})") from None
    if param.kind == "lang":
        return ox.Literal(raw, language=param.language)
    if param.kind == "typed" and param.datatype:
        if not is_valid(raw, param.datatype):
            local = param.datatype.removeprefix(XSD)
            hint = " (write e.g. 2018-12-10)" if local == "date" else ""
            raise fail(f"{raw!r} is not an xsd:{local}{hint}")
        return ox.Literal(raw, datatype=ox.NamedNode(param.datatype))
    return ox.Literal(raw)


def bind(query: StoredQuery, params: Mapping[str, Sequence[str]]) -> str:
    """The query text with every given (or default) parameter bound in a ``VALUES`` block."""
    expected = {p.name: p for p in query.parameters}
    usage = "; ".join(p.usage() for p in query.parameters) or "none"
    for name in params:
        if name not in expected:
            raise QueryParameterError(query.name, name, f"unknown parameter; expected: {usage}")
    blocks: list[str] = []
    for param in query.parameters:
        values = list(params.get(param.name, ())) or list(param.default)
        if not values:
            if param.required:
                raise QueryParameterError(query.name, param.name, f"missing; expected: {usage}")
            continue
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise QueryParameterError(query.name, param.name, f"value {value!r} given twice")
            seen.add(value)
        terms = [to_term(query, param, value) for value in values]
        if param.allowed:
            allowed = {to_term(query, param, a) for a in param.allowed}
            for value, term in zip(values, terms, strict=True):
                if term not in allowed:
                    raise QueryParameterError(
                        query.name, param.name, f"{value!r} is not one of {', '.join(param.allowed)}"
                    )
        blocks.append(values_block(param.variable, terms))
    try:
        return inject_values(query.text, blocks)
    except InjectionError as error:
        raise QueryFileError(query.display_path, str(error)) from None


def run_query(
    graph: GraphSource,
    query: StoredQuery | str,
    params: Mapping[str, Sequence[str]] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    allow_outside: bool = False,
) -> QueryResult:
    """Run a stored query (by object, name or path) with its parameters bound as RDF terms."""
    stored = find_query(query) if isinstance(query, str) else query
    text = bind(stored, params or {})
    return graph.query(
        text, timeout=timeout, max_rows=max_rows, allow_outside=allow_outside, origin=stored.display_path
    )
