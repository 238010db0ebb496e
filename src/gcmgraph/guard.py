"""Query text from an untrusted client, made unable to reach anything outside the loaded data.

pyoxigraph and Oxigraph's server follow ``SERVICE <url>``: they fetch the URL. A check that finds
the keyword with a tokenizer can be fooled wherever the tokenizer and the engine disagree on
where a string, an IRI or a name ends (``ex:a\\'`` is one prefixed name to the engine but opens a
string to a simple tokenizer; ``1<'x>'`` is a comparison, not an IRI; ``SERVICE:x`` is the keyword
followed by ``:x``). So safety does not rest on the tokenizer. The engine matches keywords on the
raw characters (ASCII letters, any case; ``\\u`` escapes are decoded only inside strings and
IRIs), hence:

1. inside every string, IRI and comment the tokenizer finds, the ``v`` of each ``service`` is
   rewritten as the escape ``\\u0076`` (``\\u0056`` for ``V``), which the engine decodes back to the
   same character there, so values do not change;
2. if the letters ``service`` (any case) are still anywhere in the text, the query is refused.

The text handed to the engine is the rewritten one. Wherever the tokenizer was wrong, the escape
lands in what the engine reads as code and the query fails to parse; it never becomes SERVICE.
Updates (``LOAD`` included) are refused by name here and cannot run anyway: the engine is only
ever asked to evaluate a query. ``FROM``/``FROM NAMED`` must name loaded graphs.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from .errors import RefusedQueryError
from .sparql_text import line_of, outside_features, query_form, tokenize

# The letters of SERVICE in any case, plus the non-ASCII letters that some case foldings map onto
# them (long s, dotless i, dotted capital I), so that no engine's case rule can find the word.
_SERVICE = re.compile(r"[sS\u017f][eE][rR]([vV])[iI\u0131\u0130][cC][eE]")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class ConfinedQuery:
    """A query that is safe to evaluate: its text (rewritten), its form, and whether it names its
    own dataset with FROM or FROM NAMED (then the default graph is not the union of all graphs)."""

    text: str
    form: str
    names_dataset: bool


def _escape_service(text: str) -> str:
    return _SERVICE.sub(lambda m: f"{m.group()[:3]}\\u{ord(m.group(1)):04X}{m.group()[4:]}", text)


def _decoded(iri: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def neutralise(text: str) -> str:
    """The query text with ``service`` inside strings, IRIs and comments written as an escape that
    the engine reads back as the same character: the only text an engine should be handed."""
    # Between two tokens there is only white space and comments, so the gaps are rewritten too.
    pieces: list[str] = []
    done = 0
    for token in tokenize(text):
        pieces.append(_escape_service(text[done : token.start]))
        pieces.append(_escape_service(token.text) if token.kind in ("string", "iri") else token.text)
        done = token.start + len(token.text)
    return "".join(pieces) + _escape_service(text[done:])


@dataclass(frozen=True)
class ServiceWord:
    """Where the letters ``service`` are left in neutralised text, and whether as the keyword."""

    line: int
    shown: str
    keyword: bool


def service_word(rewritten: str) -> ServiceWord | None:
    """The first ``service`` left in :func:`neutralise`'s output (a keyword or a name), if any."""
    found = _SERVICE.search(rewritten)
    if not found:
        return None
    word = next((t for t in tokenize(rewritten) if t.start <= found.start() < t.start + len(t.text)), None)
    keyword = word is not None and word.kind == "word" and word.text.split(":")[0].upper() == "SERVICE"
    return ServiceWord(line_of(rewritten, found.start()), word.text if word is not None else found.group(), keyword)


def confine(text: str, known_graphs: Collection[str], origin: str = "query") -> ConfinedQuery:
    """The query text to evaluate, or a :class:`RefusedQueryError` saying in one line why not."""
    rewritten = neutralise(text)
    found = service_word(rewritten)
    if found is not None:
        if found.keyword:
            message = "SERVICE is refused: this server sends no request elsewhere"
            raise RefusedQueryError(f"{origin}:{found.line}: {message}")
        raise RefusedQueryError(
            f"{origin}:{found.line}: {found.shown!r} is refused: outside strings and IRIs the letters 'service' could "
            "call another endpoint; rename it"
        )
    form = query_form(rewritten)
    if form == "UPDATE":
        raise RefusedQueryError(
            f"{origin}: SPARQL Update (INSERT, DELETE, LOAD ...) is refused: this server only reads"
        )
    names_dataset = False
    features = outside_features(rewritten) if re.search("from", rewritten, re.IGNORECASE) else []
    for feature in features:
        if not feature.keyword.startswith("FROM"):
            continue
        names_dataset = True
        target = feature.target
        iri = _decoded(target[1:-1]) if target.startswith("<") and target.endswith(">") else None
        if iri not in known_graphs:
            loaded = " ".join(f"<{g}>" for g in sorted(known_graphs))
            raise RefusedQueryError(
                f"{origin}:{feature.line}: {feature.keyword} {target} names a graph that is not loaded "
                f"(write a full IRI); loaded graphs: {loaded}"
            )
    return ConfinedQuery(rewritten, form, names_dataset)
