"""The one place that turns query results into text: tables for people, standard formats for
programs.

JSON, XML and TSV are the SPARQL 1.1 result formats, written by pyoxigraph, and carry every value
exactly. ``table``, ``markdown`` and ``csv`` are for people and spreadsheets, so they are made safe
to open: control characters (terminal escape sequences included) are shown as ``\\uXXXX`` in
tables, and in CSV a cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, and is not a plain number) gets a leading ``'``. The
``table`` format fits a width (the terminal's, or 100 columns), cutting cells with ``…``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast
from xml.etree import ElementTree as ET

import pyoxigraph as ox

from .formats import GRAPH, REPORT, RESULTS, choose
from .namespaces import PREFIXES, compact, expand
from .results import QueryResult, Term

if TYPE_CHECKING:
    from .describe import Description, Fact
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
        return _gathered_names(term.value)
    return str(term)


def _gathered_names(text: str) -> str:
    """A cell that gathers IRIs (``a; b``, as the stored queries gather sources) shown as the
    prefixed names the table shows for single IRIs; any other text as it is."""
    parts = text.split("; ")
    names = [compact(part) for part in parts]
    return "; ".join(names) if all(n != p for n, p in zip(names, parts, strict=True)) else text


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


#: The width of a table when stdout is not a terminal (a file, a pipe, a test).
DEFAULT_WIDTH = 100
#: A text column that gives way keeps at least this many columns (or its header's, up to 20);
#: a column of names (IRIs) keeps at least _NARROWEST_NAME.
_NARROWEST = 10
_NARROWEST_NAME = 20


def _plain(text: str) -> bool:
    """Printable ASCII: one column a character (wcwidth, 30 ms to import, is needed only otherwise)."""
    return text.isascii() and text.isprintable()


def text_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: 2 for a wide (CJK) character, 0 for a combining mark."""
    if _plain(text):
        return len(text)
    import wcwidth

    return max(0, wcwidth.width(text))


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, ending with '…' when something was left out."""
    if text_width(text) <= width:
        return text
    if _plain(text):
        return text[: max(width - 1, 0)] + "…"
    import wcwidth

    kept, used = [], 0
    for grapheme in wcwidth.iter_graphemes(text):
        size = text_width(grapheme)
        if used + size > width - 1:
            break
        kept.append(grapheme)
        used += size
    return "".join(kept) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))


def column_widths(
    header: Sequence[str], rows: Sequence[Sequence[str]], give_way: Sequence[tuple[Sequence[int], int]], room: int
) -> list[int] | None:
    """The width of each column so that the columns and their two-space gaps fit in ``room``, or
    None if they cannot.

    ``give_way`` lists groups of column indexes, each with its narrowest width, in the order they
    narrow: the widest columns of the first group are narrowed towards a common cap (never below
    the narrowest width or their header's, up to 20) before the next group is touched. Columns in
    no group keep their width.
    """
    natural = [max([text_width(h), *(text_width(r[i]) for r in rows)]) for i, h in enumerate(header)]
    widths = list(natural)
    room -= 2 * (len(header) - 1)
    for group, narrowest in give_way:
        if sum(widths) <= room:
            break
        floors = {i: min(natural[i], max(narrowest, min(text_width(header[i]), 20))) for i in group}
        fixed = sum(w for i, w in enumerate(widths) if i not in floors)

        def total(cap: int, floors: dict[int, int] = floors, fixed: int = fixed) -> int:
            return fixed + sum(max(floor, min(natural[i], cap)) for i, floor in floors.items())

        low, high = 0, max([natural[i] for i in group], default=0)
        while low < high:  # the widest cap that fits (the total grows with the cap)
            middle = (low + high + 1) // 2
            low, high = (middle, high) if total(middle) <= room else (low, middle - 1)
        for i, floor in floors.items():
            widths[i] = max(floor, min(natural[i], low))
    return widths if sum(widths) <= room else None


def _table(
    variables: Sequence[str],
    rows: list[list[str]],
    give_way: Sequence[tuple[Sequence[int], int]] = (),
    width: int | None = None,
) -> str:
    """An aligned text table in at most ``width`` terminal columns (None: as wide as its values).

    Cells of the columns that give way are cut and end with '…'. A result with too many columns
    to fit even so is shown one row per block, one ``name  value`` line per column. (The other
    formats always carry whole values.)
    """
    widths = column_widths(variables, rows, give_way, width if width is not None else 10**9)
    if widths is None:
        return _records(variables, rows, width or 10**9)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(cut(c, w), w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(variables), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]) + "\n"


def _records(variables: Sequence[str], rows: list[list[str]], width: int) -> str:
    """Each row as a block of ``name  value`` lines, blocks apart by a blank line, values cut to fit."""
    names = max(text_width(v) for v in variables)
    room = max(width - names - 2, 1)
    blocks = [
        "\n".join(f"{_pad(v, names)}  {cut(c, room)}".rstrip() for v, c in zip(variables, row, strict=True))
        for row in rows
    ]
    return "\n\n".join(blocks) + "\n" if blocks else cut("  ".join(variables), width) + "\n"


def _markdown(variables: Sequence[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    head = "| " + " | ".join(cell(v) for v in variables) + " |"
    rule = "|" + "|".join("---" for _ in variables) + "|"
    body = ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join([head, rule, *body]) + "\n"


def render_result(
    result: QueryResult, fmt: str, *, width: int | None = DEFAULT_WIDTH, key: Sequence[str] = ()
) -> bytes:
    """The result written in the format named ``fmt`` (see :mod:`gcmgraph.formats`).

    A ``table`` fits in ``width`` columns (None: as wide as its values): IRIs are shown as prefixed
    names, and text columns give way first, then the other columns, never those in ``key``.
    """
    chosen = choose(GRAPH if result.is_graph else RESULTS, fmt, default=fmt)
    fmt = chosen.name
    if chosen.rdf is not None:
        prefixes = PREFIXES if chosen.name in ("turtle", "trig") else None
        return cast(bytes, ox.serialize(list(result.triples), format=chosen.rdf, prefixes=prefixes))  # no output: bytes
    if chosen.results is not None:
        if chosen.name == "json":
            return result.results_json
        parsed = ox.parse_query_results(result.results_json, format=ox.QueryResultsFormat.JSON)
        return cast(bytes, parsed.serialize(format=chosen.results))  # no output: bytes
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
    return _table(result.variables, rows, _give_way(result, key), width).encode()


def _give_way(result: QueryResult, key: Sequence[str]) -> list[tuple[list[int], int]]:
    """Which columns narrow first: those holding text (literals), then those holding names; never the key."""
    columns = [i for i, name in enumerate(result.variables) if name not in key]

    def names_only(i: int) -> bool:
        return all(row[i] is None or isinstance(row[i], ox.NamedNode | ox.BlankNode) for row in result.rows)

    text = [i for i in columns if not names_only(i)]
    return [(text, _NARROWEST), ([i for i in columns if i not in text], _NARROWEST_NAME)]


def render_description(description: Description, fmt: str, *, width: int | None = DEFAULT_WIDTH) -> bytes:
    """A resource's facts as readable text (``table``, each line cut to ``width``) or as JSON."""
    import json

    if fmt == "json":

        def fact(f: Fact) -> dict[str, str]:
            language = f.value.language if isinstance(f.value, ox.Literal) else None
            return {
                "property": f.predicate,
                "property_label": f.predicate_label,
                "value": str(f.value.value),
                "value_label": f.value_label,
                **({"language": language} if language else {}),
            }

        payload = {
            "iri": description.iri,
            "label": description.label,
            "facts": [fact(f) for f in description.facts],
            "incoming": [fact(f) for f in description.incoming],
        }
        return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode()
    iri = f"<{safe_text(description.iri)}>"
    label = safe_text(description.label)
    lines = [f"{label if width is None else cut(label, max(width - text_width(iri) - 2, 10))}  {iri}", ""]
    labels = max([text_width(f.predicate_label) for f in (*description.facts, *description.incoming)] + [4])
    for f in description.facts:
        value = display(f.value) + (f"  ({f.value_label})" if f.value_label else "") + _language(f.value)
        lines.append(f"  {_pad(f.predicate_label, labels)}  {safe_text(value)}")
    if description.incoming:
        lines += ["", "Linked from:"]
        for f in description.incoming:
            value = safe_text(display(f.value) + (f"  ({f.value_label})" if f.value_label else ""))
            room = None if width is None else max(width - text_width(f.predicate_label) - 4, 10)
            lines.append(f"  {value if room is None else cut(value, room)}  {f.predicate_label}")
    body = [line if width is None else cut(line, width) for line in lines[1:]]
    return ("\n".join([lines[0], *body]) + "\n").encode()


def _language(term: object) -> str:
    """``  @es`` after a text in another language than English, so translations are told apart."""
    language = term.language if isinstance(term, ox.Literal) else None
    return f"  @{language}" if language and language != "en" else ""


def _finding_line(f: Finding) -> str:
    text = f"{f.location}: {f.severity}: {f.check}: {f.message}{f.detail}"
    return safe_text(text) + (f"  [accepted: {safe_text(f.accepted)}]" if f.accepted else "")


def _limited(findings: Iterable[Finding], limit: int | None) -> tuple[list[Finding], Counter[str]]:
    """At most ``limit`` findings per check, with a count of those left out."""
    if limit is None:
        return list(findings), Counter()
    shown: list[Finding] = []
    left_out: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for f in findings:
        seen[f.check] += 1
        if seen[f.check] <= limit:
            shown.append(f)
        else:
            left_out[f.check] += 1
    return shown, left_out


def render_report(report: ValidationReport, fmt: str, limit: int | None = None) -> bytes:
    """A validation report for people (``text``) or machines (the other report formats)."""
    fmt = choose(REPORT, fmt, default=fmt).name
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
                {
                    "file": f.file,
                    "line": f.line,
                    "column": f.column,
                    "severity": f.severity,
                    "check": f.check,
                    "message": f.message,
                    "entity": f.entity,
                    "property": f.predicate,
                    "value": f.value,
                    "accepted": f.accepted,
                }
                for f in findings
            ],
        }
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
            location: dict[str, Any] | None = (
                {"physicalLocation": {"artifactLocation": {"uri": f.file}}} if f.file else None
            )
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
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "gcmgraph validate",
                            "informationUri": "https://w3id.org/gcmgraph",
                            "rules": [{"id": r, "name": r} for r in rules],
                        }
                    },
                    "results": results,
                }
            ],
        }
        return (json.dumps(sarif, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "junit":
        failing = [f for f in findings if not f.accepted]
        suite = ET.Element(
            "testsuite",
            name="gcmgraph validate",
            tests=str(len(report.checks_run) + len(failing)),
            failures=str(len(failing)),
            errors="0",
            skipped="0",
        )
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
        xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)  # bytes for any encoding but "unicode"
        return xml + b"\n"
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
    return cast(bytes, ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"sh": sh, **PREFIXES}))
