"""Reading SPARQL text without evaluating it: its form, the features it uses, and where a
``VALUES`` block binding parameters goes.

Parameters are bound by writing each value as a complete, escaped SPARQL term inside a ``VALUES``
block placed at the start of the query's WHERE group. The rest of the query text is left exactly
as it was, so a value can never change the query's structure. The tokenizer below only has to
tell strings, IRIs, comments and braces apart; the engine still parses the result strictly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import RefusedQueryError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<word>[A-Za-z_\u00c0-\uffff][A-Za-z0-9_\-.\u00b7\u00c0-\uffff]*(?::[^\s{}()\[\];,<>"']*)?
             |:[^\s{}()\[\];,<>"']*)
  | (?P<open>[{])
  | (?P<close>[}])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
_MODIFIERS = frozenset({"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased word if this token is a bare keyword (not a prefixed name)."""
        if self.kind == "word" and ":" not in self.text:
            return self.text.upper()
        return None


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text into tokens, dropping white space and comments."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), match.start()))
    return tokens


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE``, ``ASK``, ``UPDATE`` or ``UNKNOWN``."""
    for token in tokenize(text):
        word = token.keyword
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
    return "UNKNOWN"


@dataclass(frozen=True)
class Feature:
    """A use of a SPARQL feature that reaches beyond the loaded data."""

    keyword: str
    target: str
    line: int


def outside_features(text: str) -> list[Feature]:
    """Every ``SERVICE``, ``FROM`` and ``FROM NAMED`` clause in the query, with its target."""
    found: list[Feature] = []
    tokens = tokenize(text)
    for index, token in enumerate(tokens):
        word = token.keyword
        if word not in ("SERVICE", "FROM"):
            continue
        rest = tokens[index + 1 : index + 3]
        keyword = word
        if word == "FROM" and rest and rest[0].keyword == "NAMED":
            keyword, rest = "FROM NAMED", rest[1:]
        elif word == "SERVICE" and rest and rest[0].keyword == "SILENT":
            keyword, rest = "SERVICE SILENT", rest[1:]
        target = rest[0].text if rest else ""
        found.append(Feature(keyword, target, line_of(text, token.start)))
    return found


def declared_prefixes(text: str) -> dict[str, str]:
    """The query's ``PREFIX`` declarations: prefix (without the colon) -> namespace IRI."""
    tokens = tokenize(text)
    table: dict[str, str] = {}
    for index, token in enumerate(tokens[:-2]):
        if token.keyword == "PREFIX" and tokens[index + 2].kind == "iri":
            table[tokens[index + 1].text.rstrip(":")] = tokens[index + 2].text[1:-1]
    return table


def feature_iri(feature: Feature, prefixes: dict[str, str]) -> str | None:
    """The IRI a ``FROM``/``SERVICE`` target names (``<iri>`` or a prefixed name), if it can be read."""
    target = feature.target
    if target.startswith("<") and target.endswith(">"):
        return target[1:-1]
    prefix, colon, local = target.partition(":")
    return prefixes[prefix] + local if colon and prefix in prefixes else None


def variables(text: str) -> list[str]:
    """The distinct variable names used in the query, in order of first use (without ``?``)."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token.kind == "var":
            seen.setdefault(token.text[1:], None)
    return list(seen)


def projected_variables(text: str) -> list[str] | None:
    """The variables a SELECT query returns (without ``?``), or None for ``SELECT *`` and other forms."""
    tokens = tokenize(text)
    start = next((i for i, t in enumerate(tokens) if t.keyword in QUERY_FORMS), None)
    if start is None or tokens[start].keyword != "SELECT":
        return None
    found: list[str] = []
    depth = 0
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if token.kind == "open" or token.keyword in ("WHERE", "FROM"):
            break
        if token.text == "*" and depth == 0:
            return None
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.kind == "var" and (depth == 0 or tokens[index - 1].keyword == "AS"):
            found.append(token.text[1:])
    return found


def sparql_term(term: ox.NamedNode | ox.Literal) -> str:
    """A term written in SPARQL syntax, escaped so that no engine can read it differently.

    pyoxigraph writes N-Triples, which is valid SPARQL. Some engines (rdflib among them) expand
    ``\\u`` escapes in the whole query text before parsing it, which would turn a value holding a
    backslash followed by ``u0022`` into a quote; so the ``u`` after an escaped backslash is
    itself written as an escape (``\\U00000075``), which every engine reads as ``u``.
    """
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise TypeError(f"cannot bind {term!r}: only IRIs and literals can be parameters")
    written = str(term)
    return re.sub(r"(?<!\\)((?:\\\\)*\\\\)([uU])", lambda m: f"{m.group(1)}\\U{ord(m.group(2)):08X}", written)


def values_block(variable: str, terms: Sequence[ox.NamedNode | ox.Literal]) -> str:
    """``VALUES ?v { t1 t2 }`` on one line."""
    return f"VALUES ?{variable} {{ {' '.join(sparql_term(t) for t in terms)} }}"


class InjectionError(ValueError):
    """The query has no WHERE group that parameters could be bound in."""


def _matching_close(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index].kind == "open":
            depth += 1
        elif tokens[index].kind == "close":
            depth -= 1
            if depth == 0:
                return index
    raise InjectionError("unbalanced braces")


def _where_group(tokens: list[Token]) -> int | None:
    """Index of the ``{`` token that opens the main query's WHERE group, if it has one."""
    form = None
    depth = 0
    groups_seen = 0
    for index, token in enumerate(tokens):
        if token.kind == "open":
            if depth == 0:
                if form is None:
                    raise InjectionError("the query has no SELECT, CONSTRUCT, DESCRIBE or ASK")
                previous = tokens[index - 1].keyword if index else None
                if previous == "WHERE" or form != "CONSTRUCT" or groups_seen == 1:
                    return index
                groups_seen += 1
            depth += 1
        elif token.kind == "close":
            depth -= 1
        elif depth == 0 and form is None and token.keyword in QUERY_FORMS:
            form = token.keyword
    return None


def inject_values(text: str, blocks: Iterable[str]) -> str:
    """Return ``text`` with the ``VALUES`` blocks placed first in its WHERE group.

    Only white space is added around the blocks; the original text is otherwise unchanged and
    keeps its line numbers. A WHERE group that is itself a sub-select is wrapped in braces so the
    result stays valid; a DESCRIBE without WHERE gets one.
    """
    blocks = list(blocks)
    if not blocks:
        return text
    joined = " ".join(blocks)
    tokens = tokenize(text)
    where = _where_group(tokens)
    if where is None:
        if query_form(text) != "DESCRIBE":
            raise InjectionError("the query has no WHERE group to bind parameters in")
        cut = next(
            (t.start for t in tokens if t.keyword in _MODIFIERS),
            len(text),
        )
        return f"{text[:cut].rstrip()}\nWHERE {{ {joined} }}\n{text[cut:]}"
    brace = tokens[where]
    after = tokens[where + 1] if where + 1 < len(tokens) else None
    insert_at = brace.start + 1
    if tokens[where - 1].keyword == "WHERE" and tokens[where - 2].keyword == "CONSTRUCT":
        raise InjectionError("'CONSTRUCT WHERE { ... }' cannot take parameters; write the template")
    if after is not None and after.keyword == "SELECT":
        close = tokens[_matching_close(tokens, where)]
        return text[:insert_at] + f" {joined} {{" + text[insert_at : close.start] + "} " + text[close.start :]
    return text[:insert_at] + f" {joined} " + text[insert_at:]


def check_query_text(text: str, origin: str, *, known_graphs: Sequence[str], allow_outside: bool) -> str:
    """The query's form, after refusing updates and, unless allowed, SERVICE and foreign FROM."""
    form = query_form(text)
    if form == "UPDATE":
        raise RefusedQueryError(f"{origin}: SPARQL Update is refused; gcmgraph only reads data")
    if not allow_outside:
        prefixes = declared_prefixes(text)
        for feature in outside_features(text):
            target = feature_iri(feature, prefixes)
            if feature.keyword.startswith("FROM") and target in known_graphs:
                continue
            raise RefusedQueryError(
                f"{origin}:{feature.line}: {feature.keyword} {feature.target} reaches outside the "
                "loaded data; pass --allow-outside to permit it"
            )
    return form


# Functions whose value is always true or false (SPARQL 1.1 §17.4), and the operators that make one.
_BOOLEAN_CALLS = frozenset(
    {
        "BOUND",
        "ISIRI",
        "ISURI",
        "ISBLANK",
        "ISLITERAL",
        "ISNUMERIC",
        "REGEX",
        "CONTAINS",
        "STRSTARTS",
        "STRENDS",
        "LANGMATCHES",
        "SAMETERM",
        "EXISTS",
        "NOT",
        "TRUE",
        "FALSE",
    }
)
_BOOLEAN_OPERATORS = frozenset({"=", "<", ">", "!", "&", "|"})


def _is_boolean_type(token: Token) -> bool:
    return token.text.endswith(("#boolean>", ":boolean"))


def _boolean_expression(tokens: Sequence[Token]) -> bool:
    """Whether an expression's value is always an ``xsd:boolean``: a comparison, a logical operator,
    ``IN``, a boolean literal, a cast to ``xsd:boolean`` or a call of a boolean function."""
    if not tokens:
        return False
    depth = 0
    for index, token in enumerate(tokens):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and (
            (token.kind == "other" and token.text in _BOOLEAN_OPERATORS)
            or token.keyword == "IN"
            or (token.text == "^" and index + 1 < len(tokens) and _is_boolean_type(tokens[index + 1]))
        ):
            return True
    head = tokens[0]
    return head.keyword in _BOOLEAN_CALLS or (head.kind in ("word", "iri") and _is_boolean_type(head))


def boolean_variables(text: str) -> frozenset[str]:
    """The variables a query binds to a boolean expression, ``BIND(expr AS ?v)`` or ``(expr AS ?v)``.

    Some stores (Virtuoso 7) return such values as the integers 1 and 0; knowing which variables
    hold booleans lets a client read them back as ``true`` and ``false`` and leave real integers be.
    """
    tokens = tokenize(text)
    found: set[str] = set()
    for index, token in enumerate(tokens):
        if token.keyword != "AS" or index + 1 >= len(tokens) or tokens[index + 1].kind != "var":
            continue
        depth, start = 0, index - 1
        while start >= 0 and not (tokens[start].text == "(" and depth == 0):
            depth += {")": 1, "(": -1}.get(tokens[start].text, 0)
            start -= 1
        if start >= 0 and _boolean_expression(tokens[start + 1 : index]):
            found.add(tokens[index + 1].text[1:])
    return frozenset(found)
