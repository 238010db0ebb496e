"""The SHACL shapes: every shape has fixtures that it accepts and rejects, and the bundled data conforms.

The fixtures run through the engine ``gcmgraph validate`` uses by default (pyshacl-turbo, through
``gcmgraph.shacl.report``); tests/test_differential.py requires pySHACL, the reference, to find
exactly the same on every one of them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SH

from gcmgraph.shacl import report, shapes_graph

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "gcm.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
DATA_BASE = "https://w3id.org/gcmgraph/id/"
GCMSH = Namespace("https://w3id.org/gcmgraph/shapes#")
FIXTURE_NAME = re.compile(r"^(?P<shape>[A-Za-z0-9-]+)\.(?P<kind>valid|invalid(-\d+)?)\.ttl$")


@cache
def _graph(path: Path, base: str = DATA_BASE) -> Graph:
    return Graph().parse(path, format="turtle", publicID=base)


def _shape_names() -> list[str]:
    """Names of the node shapes and named property shapes in shapes.ttl."""
    shapes = _graph(SHAPES, str(GCMSH))
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes |= set(shapes.objects(None, SH.property)) | set(shapes.subjects(SH.path, None))
    return sorted(str(n).removeprefix(str(GCMSH)) for n in nodes if str(n).startswith(str(GCMSH)))


@cache
def _quads(path: Path) -> tuple[ox.Quad, ...]:
    return tuple(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=DATA_BASE, rename_blank_nodes=True))


@cache
def _shapes() -> Graph:
    return shapes_graph(_quads(SHAPES))


def _validate(*paths: Path, inference: str = "none") -> tuple[bool, Graph, str]:
    """Validate the ontology plus the given Turtle files against shapes.ttl, with SHACL-AF enabled:
    conforming means no result at all, of any severity."""
    results = report(
        [q for path in (ONTOLOGY, *paths) for q in _quads(path)], _shapes(), engine="fast", inference=inference
    )
    conforms = next(results.subjects(RDF.type, SH.ValidationResult), None) is None
    return conforms, results, results.serialize(format="turtle")


def _declared_focus(path: Path) -> URIRef:
    match = re.search(r"^# focus: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.name} does not declare its focus node in a '# focus: <IRI>' comment"
    return URIRef(match.group(1))


SHAPE_NAMES = _shape_names()
FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))


def test_shapes_graph_passes_meta_shacl() -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=_graph(SHAPES, str(GCMSH)), meta_shacl=True)
    assert conforms, text


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.name)
def test_fixture_names_a_shape_and_says_what_it_shows(fixture: Path) -> None:
    match = FIXTURE_NAME.match(fixture.name)
    assert match, f"{fixture.name} is not named <ShapeName>.valid.ttl or <ShapeName>.invalid[-N].ttl"
    assert match["shape"] in SHAPE_NAMES, f"{fixture.name} names no shape of shapes.ttl"
    assert fixture.read_text(encoding="utf-8").startswith("# "), f"{fixture.name} does not start with a comment"


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_valid_fixture_conforms(shape: str) -> None:
    fixture = FIXTURES / f"{shape}.valid.ttl"
    assert fixture.exists(), f"shape {shape} has no valid fixture {fixture.name}"
    conforms, _, text = _validate(fixture)
    assert conforms, text


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_invalid_fixtures_break_the_shape(shape: str) -> None:
    fixtures = sorted(FIXTURES.glob(f"{shape}.invalid*.ttl"))
    assert fixtures, f"shape {shape} has no invalid fixture {shape}.invalid.ttl"
    for fixture in fixtures:
        focus = _declared_focus(fixture)
        _, report, text = _validate(fixture)
        results = {
            (report.value(r, SH.sourceShape), report.value(r, SH.focusNode))
            for r in report.subjects(RDF.type, SH.ValidationResult)
        }
        assert (GCMSH[shape], focus) in results, f"{fixture.name}: no result from {shape} for {focus}\n{text}"


@pytest.mark.bundled_data
@pytest.mark.parametrize("inference", ["none", "rdfs"], ids=["asserted", "rdfs"])
def test_bundled_data_conforms(inference: str) -> None:
    """The whole bundled graph (ontology and every data/*.ttl) follows the shapes, with and without RDFS inference."""
    conforms, _, text = _validate(*sorted((ROOT / "data").glob("*.ttl")), inference=inference)
    assert conforms, text
