"""`gcmgraph validate`: each kind of finding is reported at the file and line to edit, with the
check's name and the right exit code, in every report format."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from gcmgraph.cli import main
from gcmgraph.validation import validate

V = FIXTURES / "validate"
REL = "tests/fixtures/validate"


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


# fixture -> (location, check) of a finding it must produce; locations as the fixtures' comments state.
CASES = {
    "end-before-start": (f"{REL}/end-before-start.ttl:13", "gcmsh:EventDateOrderShape"),
    "missing-source": (f"{REL}/missing-source.ttl:13", "check:missing-source"),
    "dangling-iri": (f"{REL}/dangling-iri.ttl:13", "check:dangling-iri"),
    "wrong-datatype": (f"{REL}/wrong-datatype.ttl:13", "check:wrong-datatype"),
    "future-date": (f"{REL}/future-date.ttl:13", "check:future-date"),
    "inconsistent": (f"{REL}/inconsistent.ttl:14", "owl-rl:inconsistency"),
    "two-holders": (f"{REL}/two-holders.ttl:21", "owl-rl:functional"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_finding_is_reported_at_its_file_and_line(name: str) -> None:
    location, check = CASES[name]
    result = run(str(V / f"{name}.ttl"))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith(f"{location}: error: {check}: ")]
    assert lines, result.stdout


def test_syntax_error_is_reported_at_its_line_and_exits_2() -> None:
    result = run(str(V / "syntax-error.ttl"))
    assert result.exit_code == 2, result.output
    assert f"{REL}/syntax-error.ttl:19:5: error: syntax: A dot is expected at the end of statements" in result.stdout
    assert result.stderr == f"Error: {REL}/syntax-error.ttl: cannot be read; skipped (see the syntax findings)\n"


def test_valid_file_passes_with_exit_0() -> None:
    result = run(str(V / "valid.ttl"))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("0 error(s), 0 warning(s), 0 info(s); 0 accepted;")


def test_bundled_data_validates() -> None:
    report = validate()
    assert report.open_findings == (), [f.location + " " + f.check for f in report.open_findings]
    assert {"syntax", "meta-shacl", "shacl", "owl-rl", "check:missing-source"} <= set(report.checks_run)


def test_inconsistency_names_the_individual_and_the_disjoint_classes() -> None:
    finding = next(f for f in validate([V / "inconsistent.ttl"]).findings if f.check == "owl-rl:inconsistency")
    assert finding.entity == "person:fixture-both"
    assert "gcm:State" in finding.message and "gcm:Person" in finding.message


def test_broken_shape_is_found_by_meta_shacl_before_validation() -> None:
    report = validate([V / "valid.ttl"], shapes=V / "broken-shapes.ttl")
    assert [(f.check, f.location, f.entity, f.predicate, f.value) for f in report.findings] == [
        ("meta-shacl", f"{REL}/broken-shapes.ttl:11", "gcmsh:EventShape-startDate", "sh:minCount", "one")
    ]
    assert "shacl" not in report.checks_run


def test_data_files_cannot_deactivate_or_add_shapes() -> None:
    report = validate([V / "shapes-from-data.ttl"])
    checks = {f.check for f in report.findings}
    assert "gcmsh:EventDateOrderShape" in checks  # still active despite sh:deactivated in the data
    assert not any("example.org" in c for c in checks)  # the data's own shape is not used


def test_missing_path_is_a_usage_error() -> None:
    result = run("no/such/file.ttl")
    assert result.exit_code == 2
    assert result.stderr == "Error: no/such/file.ttl: no such file or folder\n"


def test_fail_on_none_never_fails_and_a_clean_file_passes_even_at_info() -> None:
    assert run(str(V / "future-date.ttl"), "--fail-on", "none").exit_code == 0
    report = validate([V / "valid.ttl"])
    assert not report.failed("info")


def test_accepted_finding_does_not_fail_and_stale_entry_is_reported(tmp_path: Path) -> None:
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text(
        "accepted:\n"
        "  - {check: 'check:future-date', entity: 'event:fixture-meeting', reason: 'a planned meeting'}\n"
        "  - {check: 'check:dangling-iri', entity: 'event:gone', reason: 'no longer happens'}\n"
    )
    result = run(str(V / "future-date.ttl"), "--accepted", str(accepted))
    assert result.exit_code == 0, result.stdout  # the stale entry is a warning, below --fail-on error
    assert "check:future-date: Date in the future" in result.stdout and "[accepted: a planned meeting]" in result.stdout
    stale = [line for line in result.stdout.splitlines() if ": warning: accepted:stale:" in line]
    assert len(stale) == 1 and "event:gone" in stale[0]
    assert run(str(V / "future-date.ttl"), "--accepted", str(accepted), "--fail-on", "warning").exit_code == 1


def test_limit_folds_repeated_findings(tmp_path: Path) -> None:
    blocks = "".join(
        f"<https://w3id.org/gcmgraph/id/event/e{n}> a <https://w3id.org/gcmgraph/ontology#Meeting> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "E{n}"@en ; '
        f'<https://w3id.org/gcmgraph/ontology#year> "2017"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
        for n in range(3)
    )
    data = tmp_path / "three.ttl"
    data.write_text(blocks)
    lines = run(str(data), "--limit", "1").stdout.splitlines()
    assert len([line for line in lines if ": error: check:missing-source:" in line]) == 1
    assert "... and 2 more check:missing-source finding(s) (--limit 1)" in lines


def test_json_report_parses() -> None:
    result = run(str(V / "dangling-iri.ttl"), "-f", "json")
    payload = json.loads(result.stdout)
    assert payload["conforms"] is False
    finding = next(f for f in payload["findings"] if f["check"] == "check:dangling-iri")
    assert (finding["file"], finding["line"], finding["entity"], finding["property"], finding["value"]) == (
        f"{REL}/dangling-iri.ttl",
        13,
        "event:fixture-meeting",
        "gcm:location",
        "place:atlantis",
    )


def test_github_annotations_point_at_file_and_line() -> None:
    result = run(str(V / "end-before-start.ttl"), "-f", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"::error file={REL}/end-before-start.ttl,line=13,title=gcmsh%3AEventDateOrderShape::" in lines[0]
    assert all(line.startswith("::") for line in lines)


def test_sarif_report_parses() -> None:
    sarif = json.loads(run(str(V / "future-date.ttl"), "-f", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "check:future-date")
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": f"{REL}/future-date.ttl"}, "region": {"startLine": 13}}
    assert "check:future-date" in {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}


def test_junit_report_parses() -> None:
    root = ET.fromstring(run(str(V / "missing-source.ttl"), "-f", "junit").stdout_bytes)
    suite = root.find("testsuite")
    assert suite is not None and int(suite.get("failures")) == 2
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert {case.get("classname") for case in failures} == {"check:missing-source", "gcmsh:ResourceShape-source"}
    assert any(case.get("classname") == "syntax" and case.find("failure") is None for case in suite.iter("testcase"))


def test_turtle_report_is_a_shacl_validation_report() -> None:
    data = run(str(V / "end-before-start.ttl"), "-f", "turtle").stdout_bytes
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    sh = "http://www.w3.org/ns/shacl#"
    rows = list(
        store.query(
            f"SELECT ?c ?shape ?focus WHERE {{ ?r a <{sh}ValidationReport> ; <{sh}conforms> ?c ; <{sh}result> ?x . "
            f"?x <{sh}sourceShape> ?shape ; <{sh}focusNode> ?focus }}"
        )
    )
    assert [(r["c"].value, r["shape"].value, r["focus"].value) for r in rows] == [
        (
            "false",
            "https://w3id.org/gcmgraph/shapes#EventDateOrderShape",
            "https://w3id.org/gcmgraph/id/event/fixture-meeting",
        )
    ]


def _located(report) -> list[tuple[str, str, str]]:
    return [(f.location, f.severity, f.check) for f in report.findings]


def test_every_syntax_error_of_a_file_is_reported_and_the_file_skipped() -> None:
    # events.ttl's comment names its three errors; documents.ttl is valid.
    result = run(str(V / "one-broken-file"), "-f", "json")
    assert result.exit_code == 2
    assert (
        result.stderr == f"Error: {REL}/one-broken-file/events.ttl: cannot be read; skipped (see the syntax findings)\n"
    )
    findings = json.loads(result.stdout)["findings"]
    assert [(f["file"], f["line"], f["column"], f["check"]) for f in findings] == [
        (f"{REL}/one-broken-file/events.ttl", None, None, "syntax"),
        (f"{REL}/one-broken-file/events.ttl", 19, 5, "syntax"),
        (f"{REL}/one-broken-file/events.ttl", 26, 18, "syntax"),
        (f"{REL}/one-broken-file/events.ttl", 29, 22, "syntax"),
    ]
    assert findings[0]["message"].startswith("file skipped")
    assert [f["message"] for f in findings[1:]] == [
        "A dot is expected at the end of statements",
        "Invalid IRI code point ' '",
        "The prefix place: has not been declared",
    ]


def test_links_into_a_skipped_file_are_not_reported() -> None:
    # Alone, documents.ttl links to event:fixture-meeting, which only events.ttl describes ...
    alone = validate([V / "one-broken-file" / "documents.ttl"])
    assert [(f.check, f.entity, f.value) for f in alone.findings] == [
        ("check:dangling-iri", "document:fixture-statement", "event:fixture-meeting")
    ]
    # ... but beside the unreadable events.ttl that link is not a finding: the file is only skipped.
    together = validate([V / "one-broken-file"])
    assert {f.check for f in together.findings} == {"syntax"}
    assert together.skipped == (f"{REL}/one-broken-file/events.ttl",)


def test_one_bad_date_in_a_folder_is_one_finding_at_its_line() -> None:
    result = run(str(V / "one-bad-date"), "-f", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["file"], f["line"], f["check"], f["entity"], f["property"], f["value"]) for f in findings] == [
        (
            f"{REL}/one-bad-date/events.ttl",
            17,
            "ill-typed-literal",
            "event:fixture-meeting",
            "gcm:startDate",
            "2018-02-30",
        )
    ]
    assert findings[0]["message"] == "'2018-02-30' is not a valid xsd:date"


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_one_bad_date_stays_one_finding_with_inference(inference: str) -> None:
    report = validate([V / "one-bad-date"], inference=inference)
    assert _located(report) == [(f"{REL}/one-bad-date/events.ttl:17", "error", "ill-typed-literal")]


def test_unreadable_file_is_skipped_and_exits_2() -> None:
    result = run(str(FIXTURES / "bad" / "binary.ttl"))
    assert result.exit_code == 2
    assert "tests/fixtures/bad/binary.ttl:2: error: syntax: binary file (NUL byte), not RDF text" in result.stdout


def test_literals_the_store_would_rewrite_are_warnings_at_their_line() -> None:
    # The fixture's comment: 0152 on line 14, "25000000.0"^^xsd:decimal on line 20.
    result = run(str(V / "non-canonical.ttl"), "-f", "json")
    assert result.exit_code == 0  # warnings do not fail the run at --fail-on error
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["severity"], f["check"], f["entity"], f["value"]) for f in findings] == [
        (14, "warning", "non-canonical-literal", "event:fixture-vote", '"0152"^^xsd:integer'),
        (20, "warning", "non-canonical-literal", "mechanism:fixture-fund", '"25000000.0"^^xsd:decimal'),
    ]
    assert '"152"^^xsd:integer' in findings[0]["message"] and '"25000000"^^xsd:decimal' in findings[1]["message"]


XSD = "http://www.w3.org/2001/XMLSchema#"


def _literal(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


# Written from XML Schema 1.1 Part 2's canonical mappings (no leading zeros or "+", no trailing
# fractional zeros, "true"/"false", a zero time-zone offset as "Z"), and Oxigraph's storage of
# every integer subtype as xsd:integer.
REWRITTEN = [
    (("0150", "integer"), ("150", "integer")),
    (("+150", "integer"), ("150", "integer")),
    (("1.50", "decimal"), ("1.5", "decimal")),
    (("1.0", "decimal"), ("1", "decimal")),
    (("1", "boolean"), ("true", "boolean")),
    (("2018-12-10+00:00", "date"), ("2018-12-10Z", "date")),
    (("2018-12-10T10:00:00.50", "dateTime"), ("2018-12-10T10:00:00.5", "dateTime")),
    (("150", "nonNegativeInteger"), ("150", "integer")),
]
KEPT = [
    ("150", "integer"),
    ("1.5", "decimal"),
    ("true", "boolean"),
    ("2018-12-10Z", "date"),
    ("2018", "gYear"),
    ("2018-12-10", "date"),
    ("2018-02-30", "date"),
]


def test_store_rewrites_exactly_the_non_canonical_forms() -> None:
    from gcmgraph.lexical import store_rewrites

    written = [_literal(*old) for old, _ in REWRITTEN] + [_literal(*kept) for kept in KEPT]
    assert store_rewrites(written) == {_literal(*old): _literal(*new) for old, new in REWRITTEN}


def test_engine_option_selects_the_reference_with_the_same_report() -> None:
    fast = run(str(V / "end-before-start.ttl"))
    reference = run(str(V / "end-before-start.ttl"), "--engine", "pyshacl")
    assert (reference.exit_code, reference.stdout) == (fast.exit_code, fast.stdout)
    assert "gcmsh:EventDateOrderShape" in fast.stdout


def test_unreadable_shapes_file_is_skipped_and_no_shape_is_checked() -> None:
    report = validate([V / "end-before-start.ttl"], shapes=V / "syntax-error.ttl")
    assert report.skipped == (f"{REL}/syntax-error.ttl",)
    assert "shacl" not in report.checks_run
    assert not any(f.check.startswith("gcmsh:") for f in report.findings)
    assert (f"{REL}/syntax-error.ttl:19:5", "error", "syntax") in _located(report)


def test_a_deprecated_term_is_reported_once_with_the_ontology_s_note_on_what_replaces_it() -> None:
    # gcm:year's skos:historyNote in ontology/gcm.ttl says to write gcm:startDate, gcm:endDate and
    # gcm:datePrecision gcm:YearPrecision instead.
    report = validate([FIXTURES / "shapes" / "DeprecatedTermShape.invalid.ttl"])
    (finding,) = [f for f in report.findings if f.check == "gcmsh:DeprecatedTermShape"]
    assert finding.entity == "document:genina-2017"
    assert finding.message.startswith(
        "This resource uses https://w3id.org/gcmgraph/ontology#year. Deprecated in version 0.2.0: every dated "
        "resource now carries gcm:startDate, gcm:endDate and gcm:datePrecision"
    )
    assert finding.message.endswith("with gcm:datePrecision gcm:YearPrecision.")


def test_a_start_date_that_is_not_a_date_is_a_datatype_finding_not_a_date_order_one() -> None:
    # wrong-datatype.ttl: start "2018-12-10" (a plain string), end 2018-12-10 as an xsd:date.
    checks = {f.check for f in validate([V / "wrong-datatype.ttl"]).findings}
    assert "check:wrong-datatype" in checks
    assert not any(check.endswith("DateOrderShape") for check in checks)


def test_an_rdf_1_2_triple_term_skips_its_file_with_one_finding_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "quoted.ttl"
    path.write_text("@prefix e: <https://e.org/> .\ne:a e:b e:c .\ne:s e:says <<( e:a e:b e:c )>> .\n")
    result = run(str(path), "-f", "json")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: cannot be read; skipped (see the syntax findings)\n"
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["check"], f["message"]) for f in findings if f["line"]] == [
        (3, "syntax", "an RDF 1.2 triple term (<< ... >>): validation reads RDF 1.1 only")
    ]
