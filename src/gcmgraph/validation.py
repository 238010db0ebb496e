"""One validation pass with one exit code: syntax, the shapes themselves, SHACL, OWL RL
consistency and the quality checks under ``queries/checks/``.

Every finding says where to fix it: the file and line where the offending subject is written.
Findings listed in the accepted-findings file (entity + check + reason) are reported as accepted
and do not fail the run; an accepted entry that no longer matches anything is itself reported.

A file that cannot be read is skipped, with every syntax error in it; findings that exist only
because its content is missing are left out (see :func:`validate`). An ill-typed literal is one
finding at its line, and the rest of its file is still checked. Two engines give the same
findings: ``fast`` (pyshacl-turbo, and the OWL RL rules of :mod:`gcmgraph.reasoner` on
Oxigraph; the default) and ``pyshacl`` (pySHACL and owlrl, the reference).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pyoxigraph as ox
import yaml

from .errors import DataSyntaxError, InputFileError, QueryFileError, RefusedQueryError, UsageError
from .inference import INFERRED_GRAPH, entailments
from .lexical import store_rewrites
from .loader import SourceFile, expand_paths, literal_lines, read_all_problems, read_source
from .namespaces import compact, expand
from .paths import data_dir, display_path, ontology_file, queries_dir, shapes_file
from .queries import read_header, read_query_text
from .shacl import ENGINES, meta_report, report, shapes_graph
from .sparql_text import outside_features

if TYPE_CHECKING:
    import rdflib

SEVERITIES = ("error", "warning", "info")
INFERENCE_MODES = ("none", "rdfs", "owlrl")
#: The checks that always run, besides the SHACL and quality checks.
LITERAL_CHECKS = ("ill-typed-literal", "non-canonical-literal")
CHECK_KEYS = frozenset({"title", "problem", "fix", "severity", "description"})
SH = "http://www.w3.org/ns/shacl#"
_SEVERITY_OF = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "info"}


@dataclass(frozen=True)
class Finding:
    """One problem, located in a file where possible."""

    check: str
    severity: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    entity: str | None = None
    predicate: str | None = None
    value: str | None = None
    accepted: str | None = None

    @property
    def detail(self) -> str:
        """``(entity, property, value)`` as far as known, or an empty string."""
        known = ", ".join(x for x in (self.entity, self.predicate, self.value) if x)
        return f" ({known})" if known else ""

    @property
    def location(self) -> str:
        if not self.file:
            return "-"
        return self.file + "".join(f":{n}" for n in (self.line, self.column) if n is not None)


@dataclass(frozen=True)
class AcceptedFinding:
    check: str
    entity: str
    reason: str


@dataclass(frozen=True)
class ValidationReport:
    findings: tuple[Finding, ...]
    checks_run: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    inference: str = "none"
    skipped: tuple[str, ...] = ()
    engine: str = "fast"
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.accepted is None)

    def counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.open_findings)

    def counts_by_check(self) -> Counter[str]:
        return Counter(f.check for f in self.open_findings)

    @property
    def unreadable(self) -> bool:
        """True if a file could not be read (exit code 2, like any other input error)."""
        return bool(self.skipped)

    def failed(self, fail_on: str) -> bool:
        """True if an open finding is at or above ``fail_on`` (error > warning > info; none never)."""
        if fail_on == "none":
            return False
        worst = SEVERITIES.index(fail_on)
        return any(SEVERITIES.index(f.severity) <= worst for f in self.open_findings)


# -- where subjects are written ----------------------------------------------------------------

_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.%-]*|:[\w.%-]*)")


class SubjectIndex:
    """Maps an IRI to the file and line where it is first written as a subject (or, failing that,
    mentioned at all), so findings about a focus node point at the block to edit."""

    def __init__(self, sources: Iterable[SourceFile]):
        self._subjects: dict[str, tuple[str, int]] = {}
        self._mentions: list[tuple[str, list[str]]] = []
        for source in sources:
            text = source.content.decode("utf-8")
            lines = text.splitlines()
            prefixes: dict[str, str] = {}
            for number, line in enumerate(lines, start=1):
                declared = _PREFIX_LINE.match(line)
                if declared:
                    prefixes[declared.group(1)] = declared.group(2)
                    continue
                match = _SUBJECT.match(line)
                if match:
                    iri = self._iri(match.group(1), prefixes)
                    if iri:
                        self._subjects.setdefault(iri, (source.name, number))
            self._mentions.append((source.name, lines))

    @staticmethod
    def _iri(token: str, prefixes: dict[str, str]) -> str | None:
        if token.startswith("<"):
            return token[1:-1]
        prefix, _, local = token.partition(":")
        namespace = prefixes.get(prefix)
        return namespace + local if namespace is not None else None

    def locate(self, iri: str | None) -> tuple[str | None, int | None]:
        if iri is None:
            return None, None
        if iri in self._subjects:
            return self._subjects[iri]
        short = compact(iri)
        for name, lines in self._mentions:
            for number, line in enumerate(lines, start=1):
                if iri in line or (short != iri and re.search(rf"(?<![\w:]){re.escape(short)}(?![\w-])", line)):
                    return name, number
        return None, None


# -- reading the files ------------------------------------------------------------------------


@dataclass
class _Reading:
    """The files that could be read (with their quads), and what is known of the others."""

    sources: list[SourceFile] = field(default_factory=list)
    quads: list[list[ox.Quad]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: The statements the parser could still read in skipped files, by file.
    recovered: dict[Path, list[ox.Quad]] = field(default_factory=dict)


def _read(paths: Sequence[Path]) -> _Reading:
    """Read every file, collecting every syntax error and every literal finding on the way."""
    reading = _Reading()
    for path in paths:
        try:
            source = read_source(path)
        except (DataSyntaxError, InputFileError) as error:
            line, column = getattr(error, "line", None), getattr(error, "column", None)
            reading.findings.append(_skipped(error.path, 1))
            reading.findings.append(Finding("syntax", "error", error.reason, error.path, line, column))
            reading.skipped.append(error.path)
            continue
        parsed = read_all_problems(source)
        if parsed.errors:
            reading.findings += [Finding("syntax", "error", e.reason, e.path, e.line, e.column) for e in parsed.errors]
            reading.findings.append(_skipped(source.name, len(parsed.errors)))
            reading.skipped.append(source.name)
            reading.recovered[source.path] = parsed.quads
            continue
        for bad in parsed.ill_typed:
            reading.findings.append(
                Finding(
                    "ill-typed-literal",
                    "error",
                    bad.reason,
                    source.name,
                    bad.line,
                    entity=_term_text(bad.quad.subject),
                    predicate=_term_text(bad.quad.predicate),
                    value=cast(ox.Literal, bad.quad.object).value,  # what is ill-typed is the quad's literal
                )
            )
        reading.findings += _non_canonical(source, parsed.quads)
        reading.sources.append(source)
        reading.quads.append(parsed.quads)
    return reading


def _skipped(name: str, errors: int) -> Finding:
    return Finding(
        "syntax",
        "error",
        f"file skipped: it cannot be read ({errors} error(s)); findings that only follow from its absence are left out",
        name,
    )


def _literal_text(literal: ox.Literal) -> str:
    return f'"{literal.value}"^^{compact(literal.datatype.value)}'


def _non_canonical(source: SourceFile, quads: list[ox.Quad]) -> list[Finding]:
    """A warning for each literal the store would give back in another form than the file's."""
    rewrites = store_rewrites(q.object for q in quads if isinstance(q.object, ox.Literal))
    findings = []
    for quad, line in literal_lines(source, quads, lambda literal: literal in rewrites):
        literal = cast(ox.Literal, quad.object)  # literal_lines gives only the quads whose object is a literal
        findings.append(
            Finding(
                "non-canonical-literal",
                "warning",
                f"the store gives this value back as {_literal_text(rewrites[literal])}, so queries and exports "
                "will not show what the file says; write it that way",
                source.name,
                line,
                entity=_term_text(quad.subject),
                predicate=_term_text(quad.predicate),
                value=_literal_text(literal),
            )
        )
    return findings


# -- the checks --------------------------------------------------------------------------------


def _term_text(node: object) -> str | None:
    """An IRI as a prefixed name, anything else as its text; an Oxigraph term by its value (a
    triple term, which has none, as written)."""
    if node is None:
        return None
    text = node.value if isinstance(node, ox.NamedNode | ox.BlankNode | ox.Literal) else str(node)
    return compact(text) if text.startswith(("http://", "https://")) else text


def _shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str:
    """A readable name for a shape: its IRI, or for a blank node its path and parent shape."""
    import rdflib

    if shape is None:  # no sh:sourceShape (SHACL requires one); shapes.value(None, ...) would match any shape
        return "unnamed shape"
    if isinstance(shape, rdflib.URIRef):
        return compact(str(shape))
    path = shapes.value(shape, rdflib.URIRef(SH + "path"))
    parent = next(shapes.subjects(rdflib.URIRef(SH + "property"), shape), None)
    where = f" of {compact(str(parent))}" if isinstance(parent, rdflib.URIRef) else ""
    return f"property shape on {compact(str(path))}{where}" if path is not None else "unnamed shape"


def _shacl_results(
    results: rdflib.Graph, shapes: rdflib.Graph, index: SubjectIndex, meta: bool = False
) -> list[Finding]:
    """Findings from a SHACL report. For the shapes' own check (``meta``) the message names the
    SHACL rule broken: the engines word their own messages differently."""
    import rdflib

    sh = rdflib.Namespace(SH)
    findings = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        shape = results.value(result, sh.sourceShape)
        severity = _SEVERITY_OF.get(str(results.value(result, sh.resultSeverity)), "error")
        component = results.value(result, sh.sourceConstraintComponent)
        message: rdflib.term.Node | str | None = results.value(result, sh.resultMessage) or component
        if meta:
            message = f"SHACL itself does not allow this in a shape ({compact(str(component))}); fix the shape"
        name = "meta-shacl" if meta else _shape_name(shapes, shape)
        file, line = index.locate(str(focus) if isinstance(focus, rdflib.URIRef) else None)
        value = results.value(result, sh.value)
        findings.append(
            Finding(
                check=name,
                severity=severity,
                message=" ".join(str(message).split()),
                file=file,
                line=line,
                entity=_term_text(focus) if not isinstance(focus, rdflib.BNode) else f"blank node {focus}",
                predicate=_term_text(results.value(result, sh.resultPath)),
                value=None if value == focus else _term_text(value),
            )
        )
    return findings


def _shapes_checks(
    shapes_source: SourceFile, shapes_quads: list[ox.Quad], engine: str
) -> tuple[rdflib.Graph, list[Finding]]:
    """The shapes graph as rdflib, and the meta-SHACL findings about it."""
    shapes = shapes_graph(shapes_quads)
    results = meta_report(shapes, engine=engine)
    findings = [] if results is None else _shacl_results(results, shapes, SubjectIndex([shapes_source]), meta=True)
    return shapes, findings


@dataclass(frozen=True)
class _Pass:
    """What one pass of the checks over a set of quads needs besides the quads."""

    shapes: rdflib.Graph | None
    inference: str
    engine: str
    checks: Sequence[QualityCheck]
    index: SubjectIndex


def _shacl(data: Sequence[ox.Quad], run: _Pass) -> list[Finding]:
    assert run.shapes is not None
    # Shapes come only from the project's shapes graph: SHACL terms in data files are ignored.
    kept = [q for q in data if not (q.predicate.value.startswith(SH) or _is_shacl(q.object))]
    results = report(kept, run.shapes, engine=run.engine, inference="rdfs" if run.inference == "rdfs" else "none")
    return _shacl_results(results, run.shapes, run.index)


def _is_shacl(term: object) -> bool:
    return isinstance(term, ox.NamedNode | ox.Literal) and term.value.startswith(SH)


_CONSISTENCY = {
    "owl-rl:nothing": (
        "SELECT ?entity WHERE { GRAPH <%(g)s> { ?entity a <http://www.w3.org/2002/07/owl#Nothing> } } ORDER BY ?entity",
        "is inferred to be owl:Nothing: it belongs to two classes declared disjoint, or breaks a restriction",
    ),
    "owl-rl:functional": (
        "SELECT ?entity ?property ?value WHERE { ?property a <http://www.w3.org/2002/07/owl#FunctionalProperty> . "
        "?entity ?property ?a, ?b FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b)) "
        "BIND(CONCAT(STR(?a), ' and ', STR(?b)) AS ?value) } ORDER BY ?entity ?property ?value",
        "has two values for a property that allows one (OWL RL would infer they are the same resource)",
    ),
    "owl-rl:inconsistency": (
        "SELECT ?value WHERE { ?m a <http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage> ; "
        "<http://www.daml.org/2002/03/agents/agent-ont#error> ?value } ORDER BY ?value",
        "OWL RL inconsistency",
    ),
}
_ILL_TYPED = re.compile(r"Lexical value of the literal '(.*)' does not match its datatype \((\S*)\)", re.DOTALL)


def _select(store: ox.Store, text: str, origin: str, **graphs: object) -> list[ox.QuerySolution]:
    """The rows of one of the project's own SELECT queries (they may not reach outside the data)."""
    if outside_features(text):
        raise RefusedQueryError(f"{origin}: a check may not reach outside the loaded data")
    try:
        return list(store.query(text, **graphs))  # type: ignore[arg-type]
    except SyntaxError as error:
        raise QueryFileError(origin, f"SPARQL syntax error: {error.msg or error}") from None


def _consistency(store: ox.Store, index: SubjectIndex) -> list[Finding]:
    findings = []
    for check, (template, message) in _CONSISTENCY.items():
        for row in _select(store, template % {"g": INFERRED_GRAPH}, check, use_default_graph_as_union=True):
            entity, value, prop = row["entity"], row["value"], row["property"]
            text = message
            shown = " and ".join(map(compact, value.value.split(" and "))) if value is not None else None
            if check == "owl-rl:inconsistency":
                # owlrl's message names the IRIs involved; the last one is the offending individual,
                # unless the message is about a literal whose text does not fit its datatype.
                literal = _ILL_TYPED.fullmatch(value.value)
                iris = re.findall(r"https?://\S+", value.value)
                entity = ox.NamedNode(iris[-1].rstrip(".,;)")) if iris and not literal else None
                text = re.sub(r"https?://[^\s,;)]+", lambda m: compact(m.group()), " ".join(value.value.split()))
                shown = literal.group(1) if literal else None
            file, line = index.locate(entity.value if entity is not None else None)
            findings.append(
                Finding(
                    check,
                    "error",
                    text,
                    file,
                    line,
                    entity=_term_text(entity and entity.value),
                    predicate=_term_text(prop and prop.value),
                    value=shown,
                )
            )
    return findings


@dataclass(frozen=True)
class QualityCheck:
    name: str
    path: Path
    title: str
    problem: str
    fix: str
    severity: str
    text: str


def quality_checks(folder: Path | None = None) -> list[QualityCheck]:
    """The stored quality checks: SELECT queries whose rows (?entity ?property ?value) are findings."""
    folder = folder or queries_dir() / "checks"
    checks = []
    for path in sorted(folder.glob("*.rq")):
        origin = display_path(path)
        text = read_query_text(path)
        header = read_header(text, origin, allowed=CHECK_KEYS, required="title")
        severity = str(header.get("severity", "error"))
        if severity not in SEVERITIES:
            raise UsageError(f"{origin}: severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        checks.append(
            QualityCheck(
                name=path.stem,
                path=path,
                title=str(header["title"]),
                problem=str(header.get("problem", "")).strip(),
                fix=str(header.get("fix", "")).strip(),
                severity=severity,
                text=text,
            )
        )
    return checks


def _quality(store: ox.Store, run: _Pass) -> list[Finding]:
    """The quality checks' rows as findings; ``store`` holds the asserted quads only."""
    findings = []
    for check in run.checks:
        for row in _select(store, check.text, display_path(check.path), use_default_graph_as_union=True):
            entity = row["entity"]
            file, line = run.index.locate(entity.value if isinstance(entity, ox.NamedNode) else None)
            message = check.title + (f". Fix: {check.fix}" if check.fix else "")
            prop, value = row["property"], row["value"]
            findings.append(
                Finding(
                    check=f"check:{check.name}",
                    severity=check.severity,
                    message=" ".join(message.split()),
                    file=file,
                    line=line,
                    entity=_term_text(entity.value) if entity is not None else None,
                    predicate=_term_text(prop.value) if prop is not None else None,
                    value=_term_text(value.value) if value is not None else None,
                )
            )
    return findings


def _findings(data: list[ox.Quad], run: _Pass) -> list[Finding]:
    """SHACL, OWL RL consistency and the quality checks over one set of quads.

    The OWL RL closure is computed in a second thread meanwhile the checks that do not need it run:
    pyoxigraph and pyshacl-turbo do their work without holding Python's global lock."""
    reasoner = "owlrl" if run.engine == "pyshacl" else "fast"
    with ThreadPoolExecutor(max_workers=1) as pool:
        closure = pool.submit(entailments, data, reasoner=reasoner)
        if reasoner == "owlrl":
            closure.result()  # owlrl changes how rdflib reads literals while it runs: pySHACL waits
        findings = _shacl(data, run) if run.shapes is not None and run.inference != "owlrl" else []
        store = ox.Store()
        store.extend(data)
        findings += _quality(store, run)
        inferred = closure.result()
    if run.shapes is not None and run.inference == "owlrl":
        findings += _shacl([*data, *inferred], run)
    store.extend(inferred)
    return findings + _consistency(store, run.index)


def _fold_literals(findings: list[Finding]) -> list[Finding]:
    """Drop the findings that only restate an ill-typed literal already reported at its line."""
    bad = [f for f in findings if f.check == "ill-typed-literal"]

    def restated(f: Finding) -> bool:
        return f.check != "ill-typed-literal" and any(
            f.value == b.value and f.entity in (None, b.entity) and f.predicate in (None, b.predicate) for b in bad
        )

    return [f for f in findings if not restated(f)]


def _key(f: Finding) -> tuple[object, ...]:
    return (f.check, f.severity, f.message, f.entity, f.predicate, f.value)


# -- accepted findings -------------------------------------------------------------------------


def default_accepted_file() -> Path:
    return queries_dir() / "checks" / "accepted.yaml"


def load_accepted(path: Path) -> list[AcceptedFinding]:
    """Read the accepted-findings file: a YAML list under ``accepted:`` of check, entity, reason."""
    origin = display_path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputFileError(origin, "no such accepted-findings file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(origin, f"cannot be read ({error})") from None
    except yaml.YAMLError as error:
        raise InputFileError(origin, f"not valid YAML ({getattr(error, 'problem', error)})") from None
    entries = document.get("accepted") or [] if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise InputFileError(origin, "expected 'accepted:' followed by a list of entries")
    accepted = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not {"check", "entity", "reason"} <= set(entry):
            raise InputFileError(origin, f"entry {number} needs check, entity and reason")
        accepted.append(AcceptedFinding(str(entry["check"]), str(entry["entity"]), str(entry["reason"])))
    return accepted


def _apply_accepted(findings: list[Finding], accepted: Sequence[AcceptedFinding], origin: str) -> list[Finding]:
    def key(entity: str | None) -> str | None:
        return compact(expand(entity) or entity) if entity else None

    used: set[int] = set()
    marked = []
    for finding in findings:
        match = next(
            (i for i, a in enumerate(accepted) if a.check == finding.check and key(a.entity) == key(finding.entity)),
            None,
        )
        if match is not None:
            used.add(match)
            finding = replace(finding, accepted=accepted[match].reason)
        marked.append(finding)
    for number, entry in enumerate(accepted):
        if number not in used:
            marked.append(
                Finding(
                    "accepted:stale",
                    "warning",
                    "accepted finding no longer occurs; remove it from the file",
                    origin,
                    entity=entry.entity,
                    value=entry.check,
                )
            )
    return marked


# -- the pass ----------------------------------------------------------------------------------


def validate(
    paths: Sequence[Path | str] | None = None,
    *,
    inference: str = "none",
    accepted_file: Path | bool | None = True,
    shapes: Path | None = None,
    engine: str = "fast",
) -> ValidationReport:
    """Validate the bundled graph (or the ontology plus the given data files) in one pass.

    ``shapes`` replaces the project's shapes file (to test shapes); data files never add or
    deactivate shapes. ``engine`` is "fast" or "pyshacl" (the reference); both find the same.

    A file that cannot be read is skipped. Its syntax errors are reported, and a finding is
    reported only if it also appears when the statements that could still be read in it are added
    to the graph: a link to a resource the skipped file describes is not reported as dangling.
    """
    import time

    from .bridge import quiet_ill_typed_literals

    if inference not in INFERENCE_MODES:
        raise UsageError(f"--inference must be one of {', '.join(INFERENCE_MODES)}, not {inference!r}")
    if engine not in ENGINES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        timings[stage] = time.perf_counter() - started - sum(timings.values())

    data_paths = expand_paths(paths) if paths else sorted(data_dir().glob("*.ttl"))
    files = [ontology_file().resolve(), *[p for p in data_paths if p != ontology_file().resolve()]]
    shapes_path = (shapes or shapes_file()).resolve()
    reading = _read([*files, shapes_path])
    findings = reading.findings
    lap("syntax")
    pairs = list(zip(reading.sources, reading.quads, strict=True))
    shapes_pair = next(((s, q) for s, q in pairs if s.path == shapes_path), None)
    data_pairs = [(s, q) for s, q in pairs if s.path != shapes_path]
    index = SubjectIndex([s for s, _ in data_pairs])
    checks_run = ["syntax", *LITERAL_CHECKS]
    shapes_rdf = None
    if shapes_pair is not None:
        shapes_rdf, meta = _shapes_checks(*shapes_pair, engine)
        findings += meta
        checks_run.append("meta-shacl")
        lap("meta-shacl")
        if meta:
            shapes_rdf = None
        else:
            checks_run.append("shacl")
    checks = quality_checks()
    run = _Pass(shapes_rdf, inference, engine, checks, index)
    data_quads = [quad for _, quads in data_pairs for quad in quads]
    with quiet_ill_typed_literals():
        found = _findings(data_quads, run)
        if reading.skipped:
            recovered = [q for path, quads in reading.recovered.items() if path != shapes_path for q in quads]
            with_recovered = {_key(f) for f in _findings(data_quads + recovered, run)}
            found = [f for f in found if _key(f) in with_recovered]
    findings += found
    checks_run += ["owl-rl", *(f"check:{c.name}" for c in checks)]
    lap("checks")
    findings = _fold_literals(findings)
    if accepted_file:
        path = default_accepted_file() if accepted_file is True else Path(accepted_file)
        if path.is_file() or accepted_file is not True:
            findings = _apply_accepted(findings, load_accepted(path), display_path(path))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (f.file or "~", f.line or 0, order[f.severity], f.check, f.entity or ""))
    return ValidationReport(
        findings=tuple(findings),
        checks_run=tuple(checks_run),
        files=tuple(s.name for s in reading.sources),
        inference=inference,
        skipped=tuple(reading.skipped),
        engine=engine,
        timings=timings,
    )
