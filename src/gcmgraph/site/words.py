"""Turning values and rules into words people read: dates, literals, and SHACL shapes."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping

from markupsafe import Markup, escape

from ..namespaces import compact

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Readable names of the standard properties the data uses (the graph holds no labels for them).
STANDARD_LABELS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "is a",
    "http://www.w3.org/2000/01/rdf-schema#label": "name",
    "http://www.w3.org/2000/01/rdf-schema#comment": "note",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2004/02/skos/core#altLabel": "also called",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "same as",
    "http://www.w3.org/2004/02/skos/core#definition": "definition",
    "http://www.w3.org/2004/02/skos/core#inScheme": "in scheme",
    "http://www.w3.org/2004/02/skos/core#notation": "notation",
    "http://purl.org/dc/terms/identifier": "identifier",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject": "claim about",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate": "claimed property",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#object": "claimed value",
    "http://www.w3.org/2002/07/owl#deprecated": "deprecated",
}


def property_label(iri: str, label: str | None) -> str:
    return label or STANDARD_LABELS.get(iri) or compact(iri)


def readable_literal(value: str, datatype: str | None) -> str:
    """``4 September 2017`` for a date, ``September 2017`` for a month, the text otherwise."""
    try:
        if datatype == XSD + "date":
            year, month, day = (int(p) for p in value.split("-"))
            return f"{day} {calendar.month_name[month]} {year}"
        if datatype == XSD + "gYearMonth":
            year, month = (int(p) for p in value.split("-"))
            return f"{calendar.month_name[month]} {year}"
    except (ValueError, IndexError):
        return value
    if datatype == XSD + "boolean":
        return "yes" if value in ("true", "1") else "no"
    return value


def prose(text: str) -> Markup:
    """Plain text from the graph or a query header, escaped, with `code` spans marked up."""
    escaped = str(escape(text))
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def with_article(label: str) -> str:
    word = label.strip()
    if not word:
        return word
    article = "an" if word[0].lower() in "aeiou" and not word.lower().startswith(("un ", "uni", "eu")) else "a"
    return f"{article} {word[0].lower() + word[1:] if not word[:2].isupper() else word}"


def count_words(min_count: int | None, max_count: int | None) -> str:
    numbers = {1: "one", 2: "two", 3: "three"}

    def n(value: int) -> str:
        return numbers.get(value, str(value))

    if min_count and max_count and min_count == max_count:
        return f"exactly {n(min_count)}"
    if min_count and max_count:
        return f"between {n(min_count)} and {n(max_count)}"
    if min_count:
        return f"at least {n(min_count)}"
    if max_count is not None:
        return "no" if max_count == 0 else f"at most {n(max_count)}"
    return "any number of"


def shape_rule(row: Mapping[str, str], labels: Mapping[str, str]) -> str:
    """A property shape in words: ``An event has at most one start date (gcm:startDate), written as xsd:date.``"""
    subject = with_article(labels.get(row.get("target_class", ""), "")) if row.get("target_class") else "A resource"
    subject = subject[0].upper() + subject[1:]
    path = row.get("path", "")
    path_label = labels.get(path) or property_label(path, None)
    minimum = int(row["min_count"]) if row.get("min_count") else None
    maximum = int(row["max_count"]) if row.get("max_count") else None
    verb = "needs" if minimum else "has"
    words = f"{subject} {verb} {count_words(minimum, maximum)} {path_label} ({compact(path)})"
    if row.get("datatype"):
        words += f", written as {compact(row['datatype'])}"
    if row.get("class"):
        words += f", each {with_article(labels.get(row['class'], compact(row['class'])))} in the graph"
    if row.get("pattern"):
        words += f", matching the pattern {row['pattern']}"
    words += "."
    if row.get("severity", "").endswith("#Warning"):
        words += " Breaking this rule is reported as a warning."
    elif row.get("severity", "").endswith("#Info"):
        words += " Breaking this rule is reported for information."
    return words
