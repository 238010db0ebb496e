"""Is a literal's text a valid value of its XSD datatype? One table for the loader (ill-typed
literals in data files) and the query runner (parameter values)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"
_DAY = r"-?([1-9]\d{4,}|\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_PATTERNS = {
    "integer": r"[+-]?\d+",
    "int": r"[+-]?\d+",
    "long": r"[+-]?\d+",
    "nonNegativeInteger": r"(\+?\d+|-0+)",
    "positiveInteger": r"\+?0*[1-9]\d*",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)",
    "float": r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)",
    "boolean": r"(true|false|1|0)",
    "gYear": r"-?([1-9]\d{4,}|\d{4})" + _TZ,
    "gYearMonth": r"-?([1-9]\d{4,}|\d{4})-(0[1-9]|1[0-2])" + _TZ,
    "date": _DAY + _TZ,
    "dateTime": _DAY + r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?" + _TZ,
    "anyURI": r"[^\s<>\"{}|\\^`]*",
}
_COMPILED = {XSD + name: re.compile(pattern, re.ASCII) for name, pattern in _PATTERNS.items()}


def checked_datatypes() -> frozenset[str]:
    return frozenset(_COMPILED)


def is_valid(lexical: str, datatype: str) -> bool:
    """True if ``lexical`` is a valid form of ``datatype``, or the datatype is not checked here."""
    pattern = _COMPILED.get(datatype)
    if pattern is None:
        return True
    if not pattern.fullmatch(lexical):
        return False
    if datatype in (XSD + "date", XSD + "dateTime"):
        # The last four digits of the year decide a leap year (400 divides 10,000), so a year
        # of any length is read without converting all of it.
        date = re.match(r"-?(\d+)-(\d\d)-(\d\d)", lexical)
        if date is None:  # cannot happen: the datatype's pattern matched, and both begin with the date
            return False
        year, month, day = (int(part[-4:]) for part in date.groups())
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last = (29 if leap else 28) if month == 2 else 30 if month in (4, 6, 9, 11) else 31
        if day > last:
            return False  # 2018-02-30
    return True


#: Most digits in an integer literal: Python's own limit for converting text to int, which
#: rdflib (and so pySHACL and owlrl) hits on longer ones.
MAX_INTEGER_DIGITS = 4300
_INTEGERS = frozenset(XSD + name for name in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"))
_DATES = frozenset(XSD + name for name in ("date", "dateTime", "gYear", "gYearMonth"))


def out_of_range(lexical: str, datatype: str) -> str | None:
    """Why a valid literal is beyond what gcmgraph's tools can handle, or None.

    Integers longer than :data:`MAX_INTEGER_DIGITS` digits and dates outside the years 1 to 9999
    (Python's calendar, which rdflib, pySHACL and owlrl use) are refused with this reason.
    """
    if datatype in _INTEGERS:
        if len(lexical) > MAX_INTEGER_DIGITS:
            digits = sum(ch.isdigit() for ch in lexical)
            if digits > MAX_INTEGER_DIGITS:
                return f"has {digits} digits; gcmgraph reads integers of at most {MAX_INTEGER_DIGITS} digits"
    elif datatype in _DATES:
        if lexical[:1] != "-" and lexical[4:5] in ("", "-", "Z", "+") and not lexical.startswith("0000"):
            return None  # a four-digit year from 0001 to 9999: the common case, decided without parsing
        year = re.match(r"-?\d+", lexical)
        if year and not 1 <= int(year.group()[:12]) <= 9999:
            return "has a year outside 1 to 9999, the years gcmgraph can check"
    return None


def store_rewrites(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """The literals that Oxigraph's store gives back in another form, each with that form.

    The store keeps values, not spellings: ``"0150"^^xsd:integer`` comes back as ``"150"``,
    ``"1.50"^^xsd:decimal`` as ``"1.5"``, ``"1"^^xsd:boolean`` as ``"true"``, ``+00:00`` as ``Z``,
    and every integer subtype (``xsd:nonNegativeInteger`` ...) as ``xsd:integer``. Rather than copy
    those rules, each literal is stored once and read back.
    """
    candidates = [
        literal
        for literal in dict.fromkeys(literals)
        if not literal.language and literal.datatype.value.startswith(XSD) and literal.datatype.value != XSD + "string"
    ]
    store = ox.Store()
    value = ox.NamedNode("urn:x-gcmgraph:value")
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:x-gcmgraph:literal:{n}"), value, literal, ox.DefaultGraph())
        for n, literal in enumerate(candidates)
    )
    rewrites = {}
    for quad in store:
        original = candidates[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != original:
            rewrites[original] = quad.object
    return rewrites
