"""The one place that turns query results into text: tables for people, standard formats for
programs.

JSON, XML and TSV are the SPARQL 1.1 result formats, written by pyoxigraph, and carry every value
exactly. ``table``, ``markdown`` and ``csv`` are for people and spreadsheets, so they are made safe
to open: control characters (terminal escape sequences included) are shown as ``\\uXXXX`` in
tables, and in CSV a cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, and is not a plain number) gets a leading ``'``. The
``table`` format also cuts cells longer than 80 characters, ending them with ``…``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pyoxigraph as ox

from .errors import UsageError
from .formats import GRAPH, REPORT, RESULTS, choose, find, names
from .namespaces import PREFIXES, compact, expand
from .results import QueryResult, Term

if TYPE_CHECKING:
    from .describe import Description
    from .validation import Finding, ValidationReport

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def choose_format(fmt: str | None, output: str | None, result_form: str) -> str:
    """The format asked for, else the one the output file's extension names, else the default."""
    if result_form in ("CONSTRUCT", "DESCRIBE"):
        return choose(GRAPH, fmt, output, default="turtle", what="a graph (CONSTRUCT/DESCRIBE) result").name
    return choose(RESULTS, fmt, output, default="table").name


def safe_text(value: str) -> str:
    """Control characters and bidi overrides shown as escapes, so a terminal shows what is there."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", value).replace("\n", "\\n")


def display(term: Term | None) -> str:
    """A term as people read it: prefixed names for IRIs, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def csv_value(term: Term | None) -> str:
    """A term as SPARQL 1.1 CSV writes it (full IRIs, lexical forms), made formula-safe."""
    if term is None:
        return ""
    text = (
        term.value
        if isinstance(term, ox.NamedNode | ox.Literal)
        else f"_:{term.value}"
        if isinstance(term, ox.BlankNode)
        else str(term)
    )
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


TABLE_CELL_WIDTH = 80


def _table(variables: Sequence[str], rows: list[list[str]]) -> str:
    """An aligned text table; a cell longer than TABLE_CELL_WIDTH is cut and ends with '…'
    (the other formats always carry whole values)."""
    rows = [[c if len(c) <= TABLE_CELL_WIDTH else c[: TABLE_CELL_WIDTH - 1] + "…" for c in r] for r in rows]
    widths = [max([len(v), *(len(r[i]) for r in rows)]) for i, v in enumerate(variables)]
    line = "  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([line, rule, *body]) + "\n"


def _markdown(variables: Sequence[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    head = "| " + " | ".join(cell(v) for v in variables) + " |"
    rule = "|" + "|".join("---" for _ in variables) + "|"
    body = ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join([head, rule, *body]) + "\n"


def render_result(result: QueryResult, fmt: str) -> bytes:
    """The result written in the format named ``fmt`` (see :mod:`gcmgraph.formats`)."""
    chosen = find(GRAPH if result.is_graph else RESULTS, fmt)
    if chosen is None:
        raise UsageError(f"--format {fmt} does not fit this result")
    fmt = chosen.name
    if chosen.rdf is not None:
        prefixes = PREFIXES if chosen.name in ("turtle", "trig") else None
        return ox.serialize(list(result.triples), format=chosen.rdf, prefixes=prefixes)
    if chosen.results is not None:
        if chosen.name == "json":
            return result.results_json
        parsed = ox.parse_query_results(result.results_json, format=ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=chosen.results)
    if result.form == "ASK":
        answer = "true" if result.boolean else "false"
        return (f"{answer}\n" if fmt in ("table", "csv") else f"| ask |\n|---|\n| {answer} |\n").encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([csv_value(v) for v in row] for row in result.rows)
        return buffer.getvalue().encode()
    rows = [[safe_text(display(v)) for v in row] for row in result.rows]
    if fmt == "markdown":
        return _markdown(result.variables, rows).encode()
    return _table(result.variables, rows).encode()


def render_description(description: Description, fmt: str) -> bytes:
    """A resource's facts as readable text (``table``) or as JSON."""
    import json

    if fmt == "json":

        def fact(f) -> dict[str, str]:
            return {
                "property": f.predicate,
                "property_label": f.predicate_label,
                "value": str(f.value.value),
                "value_label": f.value_label,
            }

        payload = {
            "iri": description.iri,
            "label": description.label,
            "facts": [fact(f) for f in description.facts],
            "incoming": [fact(f) for f in description.incoming],
        }
        return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode()
    lines = [f"{safe_text(description.label)}  <{description.iri}>", ""]
    width = max([len(f.predicate_label) for f in (*description.facts, *description.incoming)] + [4])
    for f in description.facts:
        value = display(f.value) + (f"  ({f.value_label})" if f.value_label else "")
        lines.append(f"  {f.predicate_label.ljust(width)}  {safe_text(value)}")
    if description.incoming:
        lines += ["", "Linked from:"]
        for f in description.incoming:
            value = display(f.value) + (f"  ({f.value_label})" if f.value_label else "")
            lines.append(f"  {safe_text(value)}  {f.predicate_label}")
    return ("\n".join(lines) + "\n").encode()


def _finding_line(f: Finding) -> str:
    text = f"{f.location}: {f.severity}: {f.check}: {f.message}{f.detail}"
    return safe_text(text) + (f"  [accepted: {safe_text(f.accepted)}]" if f.accepted else "")


def _limited(findings: Iterable[Finding], limit: int | None) -> tuple[list[Finding], Counter[str]]:
    """At most ``limit`` findings per check, with a count of those left out."""
    if limit is None:
        return list(findings), Counter()
    shown, left_out, seen = [], Counter(), Counter()
    for f in findings:
        seen[f.check] += 1
        if seen[f.check] <= limit:
            shown.append(f)
        else:
            left_out[f.check] += 1
    return shown, left_out


def render_report(report: ValidationReport, fmt: str, limit: int | None = None) -> bytes:
    """A validation report for people (``text``) or machines (the other report formats)."""
    chosen = find(REPORT, fmt)
    if chosen is None:
        raise UsageError(f"--format {fmt} is not a report format; use one of {', '.join(names(REPORT))}")
    fmt = chosen.name
    findings, left_out = _limited(report.findings, limit)
    if fmt == "text":
        lines = [_finding_line(f) for f in findings]
        lines += [f"... and {n} more {check} finding(s) (--limit {limit})" for check, n in sorted(left_out.items())]
        counts = report.counts()
        accepted = sum(1 for f in report.findings if f.accepted)
        summary = ", ".join(f"{counts.get(s, 0)} {s}(s)" for s in ("error", "warning", "info"))
        lines.append(f"{summary}; {accepted} accepted; {len(report.checks_run)} checks on {len(report.files)} files")
        lines += [f"  {check}: {n}" for check, n in sorted(report.counts_by_check().items())]
        return ("\n".join(lines) + "\n").encode()
    if fmt == "json":
        payload = {
            "conforms": not report.open_findings,
            "counts": dict(report.counts()),
            "counts_by_check": dict(sorted(report.counts_by_check().items())),
            "checks_run": list(report.checks_run),
            "files": list(report.files),
            "findings": [
                {"file": f.file, "line": f.line, "column": f.column, "severity": f.severity, "check": f.check,
                 "message": f.message, "entity": f.entity, "property": f.predicate, "value": f.value,
                 "accepted": f.accepted}
                for f in findings
            ],
        }  # fmt: skip
        return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "github":

        def esc(text: str, prop: bool = False) -> str:
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return text.replace(":", "%3A").replace(",", "%2C") if prop else text

        level = {"error": "error", "warning": "warning", "info": "notice"}
        lines = []
        for f in findings:
            if f.accepted:
                continue
            props = [f"file={esc(f.file, True)}"] if f.file else []
            props += [f"line={f.line}"] if f.line else []
            props += [f"col={f.column}"] if f.column else []
            props.append(f"title={esc(f.check, True)}")
            lines.append(f"::{level[f.severity]} {','.join(props)}::{esc(f.message + f.detail)}")
        return ("\n".join(lines) + ("\n" if lines else "")).encode()
    if fmt == "sarif":
        rules = sorted({f.check for f in findings})
        results = []
        for f in findings:
            location = {"physicalLocation": {"artifactLocation": {"uri": f.file}}} if f.file else None
            if location and f.line:
                region = {"startLine": f.line, **({"startColumn": f.column} if f.column else {})}
                location["physicalLocation"]["region"] = region
            result = {
                "ruleId": f.check,
                "level": {"error": "error", "warning": "warning", "info": "note"}[f.severity],
                "message": {"text": f.message + f.detail},
                "locations": [location] if location else [],
            }
            if f.accepted:
                result["suppressions"] = [{"kind": "external", "justification": f.accepted}]
            results.append(result)
        sarif = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "gcmgraph validate", "informationUri": "https://w3id.org/gcmgraph",
                                          "rules": [{"id": r, "name": r} for r in rules]}},
                      "results": results}],
        }  # fmt: skip
        return (json.dumps(sarif, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "junit":
        failing = [f for f in findings if not f.accepted]
        suite = ET.Element("testsuite", name="gcmgraph validate", tests=str(len(report.checks_run) + len(failing)),
                           failures=str(len(failing)), errors="0", skipped="0")  # fmt: skip
        by_check = Counter(f.check for f in failing)
        for check in report.checks_run:
            if not any(c == check or c.startswith(check + " ") for c in by_check):
                ET.SubElement(suite, "testcase", classname=check, name=f"{check} passes")
        for f in failing:
            case = ET.SubElement(suite, "testcase", classname=f.check, name=f"{f.location} {f.entity or ''}".strip())
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
            failure.text = _finding_line(f)
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    return _report_turtle(report, findings)


def _report_turtle(report: ValidationReport, findings: Sequence[Finding]) -> bytes:
    """A standard sh:ValidationReport; non-SHACL checks appear as results of a gcmgraph check IRI."""
    sh = "http://www.w3.org/ns/shacl#"
    severity = {"error": "Violation", "warning": "Warning", "info": "Info"}
    node = ox.BlankNode("report")
    triples = [
        ox.Triple(node, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(sh + "ValidationReport")),
        ox.Triple(node, ox.NamedNode(sh + "conforms"), ox.Literal(not report.open_findings)),
    ]
    for number, f in enumerate(f for f in findings if not f.accepted):
        result = ox.BlankNode(f"r{number}")
        shape = expand(f.check) or f"https://w3id.org/gcmgraph/checks#{f.check.replace(' ', '-').replace(':', '-')}"
        triples += [
            ox.Triple(node, ox.NamedNode(sh + "result"), result),
            ox.Triple(result, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(sh + "ValidationResult")),
            ox.Triple(result, ox.NamedNode(sh + "resultSeverity"), ox.NamedNode(sh + severity[f.severity])),
            ox.Triple(result, ox.NamedNode(sh + "sourceShape"), ox.NamedNode(shape)),
            ox.Triple(result, ox.NamedNode(sh + "resultMessage"), ox.Literal(f.message)),
        ]
        focus = expand(f.entity) if f.entity else None
        if focus:
            triples.append(ox.Triple(result, ox.NamedNode(sh + "focusNode"), ox.NamedNode(focus)))
        path = expand(f.predicate) if f.predicate else None
        if path:
            triples.append(ox.Triple(result, ox.NamedNode(sh + "resultPath"), ox.NamedNode(path)))
        if f.value:
            triples.append(ox.Triple(result, ox.NamedNode(sh + "value"), ox.Literal(f.value)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"sh": sh, **PREFIXES})
