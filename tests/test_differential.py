"""Differential test: the fast validation path (pyshacl-turbo, and the OWL RL rules run on
Oxigraph) finds exactly what the reference (pySHACL and owlrl) finds, on every validation fixture,
every shape fixture and the bundled data (issue 16).

The reference is slow (minutes in all), so these tests carry the ``differential`` mark.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import FIXTURES, ROOT
from rdflib.namespace import RDF, SH

from gcmgraph.inference import ERROR_NS, entailments
from gcmgraph.paths import ID_BASE
from gcmgraph.reasoner import covers
from gcmgraph.shacl import report, shapes_graph
from gcmgraph.validation import Finding, validate

pytestmark = pytest.mark.differential

SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
VALIDATE_CASES = sorted(p for p in (FIXTURES / "validate").iterdir() if p.name != "broken-shapes.ttl")
#: The validation fixtures that are RDF at all (the others test what happens when a file is not).
VALIDATE_FILES = [p for p in VALIDATE_CASES if p.suffix == ".ttl" and p.name != "syntax-error.ttl"]
BUNDLED = sorted((ROOT / "data").glob("*.ttl"))
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _parse(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True))


def _data(paths: list[Path]) -> list[ox.Quad]:
    return [q for path in [ROOT / "ontology" / "gcm.ttl", *paths] for q in _parse(path)]


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return shapes_graph(_parse(ROOT / "ontology" / "shapes.ttl"))


def _results(graph: rdflib.Graph) -> Counter[tuple[str | None, ...]]:
    """Each result as (focus node, shape, severity, path, value, constraint component)."""

    def term(result: rdflib.term.Node, predicate: rdflib.URIRef) -> str | None:
        value = graph.value(result, predicate)
        if value is None:
            return None
        if isinstance(value, rdflib.Literal):  # a literal by its lexical form, datatype and language;
            # in RDF 1.1 a literal without datatype or language is an xsd:string.
            datatype = value.datatype or ("" if value.language else XSD_STRING)
            return f"{value}|{datatype}|{value.language or ''}"
        return str(value)

    fields = (SH.focusNode, SH.sourceShape, SH.resultSeverity, SH.resultPath, SH.value, SH.sourceConstraintComponent)
    return Counter(tuple(term(r, p) for p in fields) for r in graph.subjects(RDF.type, SH.ValidationResult))


def _agree(data: list[ox.Quad], shapes: rdflib.Graph, inference: str = "none") -> None:
    fast = _results(report(data, shapes, engine="fast", inference=inference))
    reference = _results(report(data, shapes, engine="pyshacl", inference=inference))
    assert fast == reference


@pytest.mark.parametrize("fixture", VALIDATE_FILES, ids=lambda p: p.name)
def test_shacl_engines_give_the_same_results(fixture: Path, shapes: rdflib.Graph) -> None:
    _agree(_data([fixture]), shapes)


def test_shacl_engines_give_the_same_results_on_every_shape_fixture(shapes: rdflib.Graph) -> None:
    """All 300-odd shape fixtures in one graph, each one's resources renamed apart (``-fN``, N its
    place in ``SHAPE_FIXTURES``), so pySHACL runs once instead of once a fixture."""
    _agree(_apart(SHAPE_FIXTURES), shapes)


@pytest.mark.parametrize("fixture", VALIDATE_FILES, ids=lambda p: p.name)
def test_shacl_engines_give_the_same_results_after_rdfs_inference(fixture: Path, shapes: rdflib.Graph) -> None:
    _agree(_data([fixture]), shapes, "rdfs")


@pytest.mark.bundled_data
def test_shacl_engines_give_the_same_results_on_the_bundled_data(shapes: rdflib.Graph) -> None:
    _agree(_data(BUNDLED), shapes)


def _split(quads: list[ox.Quad]) -> tuple[set[ox.Triple], Counter[str]]:
    """The entailed triples, and the inconsistency messages (their blank nodes are fresh each run)."""
    errors = {q.subject for q in quads if q.object == ox.NamedNode(ERROR_NS + "ErrorMessage")}
    messages = Counter(q.object.value for q in quads if q.predicate == ox.NamedNode(ERROR_NS + "error"))
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.subject not in errors}, messages


def _apart(fixtures: list[Path]) -> list[ox.Quad]:
    """The ontology and the fixtures in one graph, each fixture's resources renamed apart."""

    def apart(term: ox.NamedNode | ox.BlankNode | ox.Literal, n: int) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return (
            ox.NamedNode(f"{term.value}-f{n}")
            if isinstance(term, ox.NamedNode) and term.value.startswith(ID_BASE)
            else term
        )

    quads = _data([])
    for n, path in enumerate(fixtures):
        quads += [ox.Quad(apart(q.subject, n), q.predicate, apart(q.object, n), q.graph_name) for q in _parse(path)]
    return quads


@pytest.mark.parametrize("source", ["all fixtures", "bundled data"])
def test_owl_rl_rules_entail_what_owlrl_entails(source: str) -> None:
    quads = _apart(SHAPE_FIXTURES + VALIDATE_FILES) if source == "all fixtures" else _data(BUNDLED)
    assert covers(quads)  # else the fast path would have run owlrl itself, and the test proves nothing
    fast, reference = _split(entailments(quads)), _split(entailments(quads, reasoner="owlrl"))
    assert fast[0] == reference[0]
    assert fast[1] == reference[1]
    assert bool(fast[1]) == (source == "all fixtures")  # the fixtures hold inconsistencies, the bundled data none


def _findings(report_: object) -> list[Finding]:
    return list(report_.findings)  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", VALIDATE_CASES, ids=lambda p: p.name)
def test_validate_finds_the_same_with_both_engines(case: Path) -> None:
    assert _findings(validate([case], engine="fast")) == _findings(validate([case], engine="pyshacl"))


def test_meta_shacl_finds_the_same_with_both_engines() -> None:
    broken = FIXTURES / "validate" / "broken-shapes.ttl"
    valid = FIXTURES / "validate" / "valid.ttl"
    fast = validate([valid], shapes=broken, engine="fast")
    assert _findings(fast) == _findings(validate([valid], shapes=broken, engine="pyshacl"))
    assert [f.check for f in fast.findings] == ["meta-shacl"]


@pytest.mark.bundled_data
@pytest.mark.parametrize("inference", ["none", "owlrl"])
def test_validate_finds_the_same_on_the_bundled_data(inference: str) -> None:
    fast = validate(inference=inference, engine="fast")
    assert _findings(fast) == _findings(validate(inference=inference, engine="pyshacl"))


def test_a_construct_the_rules_do_not_cover_is_left_to_owlrl() -> None:
    # cls-svf1: whoever has a member is, by the restriction, a club (owl:someValuesFrom is not in the rules).
    text = """
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix ex: <https://example.org/> .
    ex:Club owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:member ; owl:someValuesFrom owl:Thing ] .
    ex:chess ex:member ex:ann .
    """
    quads = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    assert not covers(quads)
    triples, _ = _split(entailments(quads))
    assert (
        ox.Triple(
            ox.NamedNode("https://example.org/chess"),
            ox.NamedNode(str(RDF.type)),
            ox.NamedNode("https://example.org/Club"),
        )
        in triples
    )
