"""What a query returns: a typed value, independent of the engine that produced it."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query.

    ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``variables`` and ``rows`` (a
    row holds None where a variable is unbound) and keeps ``results_json``, the answer in the
    SPARQL 1.1 Query Results JSON format, from which the other standard formats are written.
    ASK fills ``boolean`` (and ``results_json``); CONSTRUCT and DESCRIBE fill ``triples``.
    """

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()
    results_json: bytes = b""

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def is_empty(self) -> bool:
        if self.form == "ASK":
            return not self.boolean
        return not (self.triples if self.is_graph else self.rows)

    def with_gathered_sorted(self, names: Collection[str]) -> QueryResult:
        """The same answer with each cell of the columns ``names`` that gathers values (``a; b``,
        as ``GROUP_CONCAT(...; SEPARATOR="; ")`` writes them) in sorted order. SPARQL leaves the
        order of GROUP_CONCAT to the engine, and it differs between stores; sorted, every store and
        endpoint gives the same bytes."""
        columns = {i for i, name in enumerate(self.variables) if name in names}
        if not columns or self.form != "SELECT":
            return self

        def cell(term: Term | None) -> Term | None:
            if not isinstance(term, ox.Literal) or "; " not in term.value:
                return term
            text = "; ".join(sorted(term.value.split("; ")))
            return (
                ox.Literal(text, language=term.language) if term.language else ox.Literal(text, datatype=term.datatype)
            )

        rows = [tuple(cell(t) if i in columns else t for i, t in enumerate(row)) for row in self.rows]
        return from_rows(self.form, self.variables, rows)

    def records(self) -> list[dict[str, Term]]:
        """Rows as dictionaries of the bound variables."""
        return [
            {name: value for name, value in zip(self.variables, row, strict=True) if value is not None}
            for row in self.rows
        ]


def from_solutions_json(form: str, payload: bytes) -> QueryResult:
    """Build a result from SPARQL Results JSON (what endpoints return)."""
    parsed = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return QueryResult(form="ASK", boolean=bool(parsed), results_json=payload)
    names = tuple(v.value for v in parsed.variables)
    rows = tuple(tuple(solution[name] for name in names) for solution in parsed)
    return QueryResult(form=form, variables=names, rows=rows, results_json=payload)


def from_rows(form: str, variables: Sequence[str], rows: Sequence[tuple[Term | None, ...]]) -> QueryResult:
    """Build a SELECT result from rows read one by one (the local engine streams them)."""
    return QueryResult(
        form=form, variables=tuple(variables), rows=tuple(rows), results_json=solutions_json(variables, rows)
    )


def _json_term(term: Term) -> dict[str, Any]:
    """One RDF term as the SPARQL 1.1 Query Results JSON format writes it (RDF-star triples too)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        written: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            written["xml:lang"] = term.language
            if getattr(term, "direction", None) is not None:
                written["its:dir"] = str(term.direction)
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            written["datatype"] = term.datatype.value
        return written
    parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
    return {"type": "triple", "value": {name: _json_term(part) for name, part in parts.items()}}


def solutions_json(variables: Sequence[str], rows: Sequence[tuple[Term | None, ...]]) -> bytes:
    """Rows written in the SPARQL 1.1 Query Results JSON format (unbound values left out)."""
    bindings = [
        {name: _json_term(value) for name, value in zip(variables, row, strict=True) if value is not None}
        for row in rows
    ]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
