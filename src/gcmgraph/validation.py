"""One validation pass with one exit code: syntax, the shapes themselves, SHACL, OWL RL
consistency and the quality checks under ``queries/checks/``.

Every finding says where to fix it: the file and line where the offending subject is written.
Findings listed in the accepted-findings file (entity + check + reason) are reported as accepted
and do not fail the run; an accepted entry that no longer matches anything is itself reported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import yaml

from .errors import DataSyntaxError, InputFileError, UsageError
from .loader import SourceFile, expand_paths, parse_source, read_source
from .namespaces import compact, expand
from .paths import ID_BASE, data_dir, display_path, ontology_file, queries_dir, shapes_file
from .queries import read_header, read_query_text
from .store import LocalGraph

if TYPE_CHECKING:
    import rdflib

SEVERITIES = ("error", "warning", "info")
INFERENCE_MODES = ("none", "rdfs", "owlrl")
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
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.accepted is None)

    def counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.open_findings)

    def counts_by_check(self) -> Counter[str]:
        return Counter(f.check for f in self.open_findings)

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


# -- stages ------------------------------------------------------------------------------------


def _syntax(paths: Sequence[Path]) -> tuple[list[SourceFile], list[list[ox.Quad]], list[Finding]]:
    sources, parsed, findings = [], [], []
    for path in paths:
        try:
            source = read_source(path)
            quads = parse_source(source)
        except DataSyntaxError as error:
            findings.append(Finding("syntax", "error", error.reason, error.path, error.line, error.column))
            continue
        except InputFileError as error:
            findings.append(Finding("syntax", "error", error.reason, error.path))
            continue
        sources.append(source)
        parsed.append(quads)
    return sources, parsed, findings


def _term_text(node: object) -> str | None:
    if node is None:
        return None
    text = str(node)
    return compact(text) if text.startswith(("http://", "https://")) else text


def _shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """A readable name for a shape: its IRI, or for a blank node its path and parent shape."""
    import rdflib

    if isinstance(shape, rdflib.URIRef):
        return compact(str(shape))
    path = shapes.value(shape, rdflib.URIRef(SH + "path"))
    parent = next(shapes.subjects(rdflib.URIRef(SH + "property"), shape), None)
    where = f" of {compact(str(parent))}" if isinstance(parent, rdflib.URIRef) else ""
    return f"property shape on {compact(str(path))}{where}" if path is not None else "unnamed shape"


def _shacl_results(
    results: rdflib.Graph, shapes: rdflib.Graph, index: SubjectIndex, check_prefix: str = ""
) -> list[Finding]:
    import rdflib

    sh = rdflib.Namespace(SH)
    findings = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        shape = results.value(result, sh.sourceShape)
        severity = _SEVERITY_OF.get(str(results.value(result, sh.resultSeverity)), "error")
        message = results.value(result, sh.resultMessage) or results.value(result, sh.sourceConstraintComponent)
        name = check_prefix or _shape_name(shapes, shape)
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


def _shapes_checks(shapes_source: SourceFile, shapes_quads: list[ox.Quad]) -> tuple[rdflib.Graph, list[Finding]]:
    """The shapes graph as rdflib, and pySHACL's meta-SHACL findings about it."""
    from pyshacl.entrypoints import meta_validate

    from .bridge import graph_of

    shapes = graph_of(shapes_quads)
    conforms, results, _ = meta_validate(shapes, inference="none")
    findings = [] if conforms else _shacl_results(results, shapes, SubjectIndex([shapes_source]), "meta-shacl")
    return shapes, findings


def _shacl(data_quads: list[ox.Quad], shapes: rdflib.Graph, inference: str, index: SubjectIndex) -> list[Finding]:
    import rdflib
    from pyshacl import validate as shacl_validate

    from .bridge import graph_of

    data = graph_of(data_quads)
    # Shapes come only from the project's shapes graph: SHACL terms in data files are ignored.
    for triple in list(data):
        if any(str(term).startswith(SH) for term in triple[1:]):
            data.remove(triple)
    _, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="rdfs" if inference == "rdfs" else "none",
        advanced=True, allow_warnings=True, allow_infos=True,
    )  # fmt: skip
    assert isinstance(results, rdflib.Graph)
    return _shacl_results(results, shapes, index)


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


def _consistency(graph: LocalGraph, index: SubjectIndex) -> list[Finding]:
    from .inference import INFERRED_GRAPH

    findings = []
    for check, (template, message) in _CONSISTENCY.items():
        result = graph.query(template % {"g": INFERRED_GRAPH, "id": ID_BASE}, timeout=None, origin=check)
        for row in result.records():
            entity, value, prop = row.get("entity"), row.get("value"), row.get("property")
            text = message
            if check == "owl-rl:inconsistency":
                # owlrl's message names the IRIs involved; the last one is the offending individual.
                iris = re.findall(r"https?://\S+", value.value)
                entity = ox.NamedNode(iris[-1].rstrip(".,;)")) if iris else None
                text = re.sub(r"https?://[^\s,;)]+", lambda m: compact(m.group()), " ".join(value.value.split()))
                value = None
            file, line = index.locate(entity.value if entity is not None else None)
            findings.append(
                Finding(check, "error", text, file, line, entity=_term_text(entity and entity.value),
                        predicate=_term_text(prop and prop.value),
                        value=" and ".join(map(compact, value.value.split(" and "))) if value is not None else None)
            )  # fmt: skip
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
                name=path.stem, path=path, title=str(header["title"]), problem=str(header.get("problem", "")).strip(),
                fix=str(header.get("fix", "")).strip(), severity=severity, text=text,
            )
        )  # fmt: skip
    return checks


def _quality(graph: LocalGraph, index: SubjectIndex, checks: Sequence[QualityCheck]) -> list[Finding]:
    findings = []
    for check in checks:
        result = graph.query(check.text, timeout=None, origin=display_path(check.path))
        for row in result.records():
            entity = row.get("entity")
            file, line = index.locate(entity.value if isinstance(entity, ox.NamedNode) else None)
            message = check.title + (f". Fix: {check.fix}" if check.fix else "")
            findings.append(
                Finding(
                    check=f"check:{check.name}", severity=check.severity, message=" ".join(message.split()),
                    file=file, line=line,
                    entity=_term_text(entity.value) if entity is not None else None,
                    predicate=_term_text(row["property"].value) if "property" in row else None,
                    value=_term_text(row["value"].value) if "value" in row else None,
                )
            )  # fmt: skip
    return findings


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
                Finding("accepted:stale", "warning", "accepted finding no longer occurs; remove it from the file",
                        origin, entity=entry.entity, value=entry.check)
            )  # fmt: skip
    return marked


# -- the pass ----------------------------------------------------------------------------------


def validate(
    paths: Sequence[Path | str] | None = None,
    *,
    inference: str = "none",
    accepted_file: Path | bool | None = True,
    shapes: Path | None = None,
) -> ValidationReport:
    """Validate the bundled graph (or the ontology plus the given data files) in one pass.

    ``shapes`` replaces the project's shapes file (to test shapes); data files never add or
    deactivate shapes.
    """
    import time

    if inference not in INFERENCE_MODES:
        raise UsageError(f"--inference must be one of {', '.join(INFERENCE_MODES)}, not {inference!r}")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data_paths = expand_paths(paths) if paths else sorted(data_dir().glob("*.ttl"))
    files = [ontology_file().resolve(), *[p for p in data_paths if p != ontology_file().resolve()]]
    shapes_path = (shapes or shapes_file()).resolve()
    sources, parsed, findings = _syntax([*files, shapes_path])
    timings["syntax"] = time.perf_counter() - started
    shapes_pair = next(((s, q) for s, q in zip(sources, parsed, strict=True) if s.path == shapes_path), None)
    data_pairs = [(s, q) for s, q in zip(sources, parsed, strict=True) if s.path != shapes_path]
    data_sources = [s for s, _ in data_pairs]
    data_quads = [quad for _, quads in data_pairs for quad in quads]
    index = SubjectIndex(data_sources)
    checks_run = ["syntax"]
    reasoned = cache(lambda: LocalGraph(data_sources, inferred=True))  # built once, if needed
    if shapes_pair is not None:
        shapes_graph, meta = _shapes_checks(*shapes_pair)
        findings += meta
        checks_run.append("meta-shacl")
        timings["meta-shacl"] = time.perf_counter() - started - sum(timings.values())
        if not meta:
            if inference == "owlrl":
                findings += _shacl(reasoned().quads(), shapes_graph, "none", index)
            else:
                findings += _shacl(data_quads, shapes_graph, inference, index)
            checks_run.append("shacl")
            timings["shacl"] = time.perf_counter() - started - sum(timings.values())
    findings += _consistency(reasoned(), index)
    checks_run.append("owl-rl")
    timings["owl-rl"] = time.perf_counter() - started - sum(timings.values())
    asserted = LocalGraph(data_sources)
    checks = quality_checks()
    findings += _quality(asserted, index, checks)
    checks_run += [f"check:{c.name}" for c in checks]
    timings["checks"] = time.perf_counter() - started - sum(timings.values())
    if accepted_file:
        path = default_accepted_file() if accepted_file is True else Path(accepted_file)
        if path.is_file() or accepted_file is not True:
            findings = _apply_accepted(findings, load_accepted(path), display_path(path))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (f.file or "~", f.line or 0, order[f.severity], f.check, f.entity or ""))
    return ValidationReport(
        findings=tuple(findings), checks_run=tuple(checks_run), files=tuple(s.name for s in sources),
        inference=inference, timings=timings,
    )  # fmt: skip
