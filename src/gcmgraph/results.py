"""What a query returns: a typed value, independent of the engine that produced it."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


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

    def records(self) -> list[dict[str, Term]]:
        """Rows as dictionaries of the bound variables."""
        return [
            {name: value for name, value in zip(self.variables, row, strict=True) if value is not None}
            for row in self.rows
        ]


def from_solutions_json(form: str, payload: bytes) -> QueryResult:
    """Build a result from SPARQL Results JSON (what the local engine and endpoints return)."""
    parsed = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return QueryResult(form="ASK", boolean=bool(parsed), results_json=payload)
    names = tuple(v.value for v in parsed.variables)
    rows = tuple(tuple(solution[name] for name in names) for solution in parsed)
    return QueryResult(form=form, variables=names, rows=rows, results_json=payload)
