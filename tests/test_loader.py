"""The loader reads Turtle strictly and names the file and line of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from gcmgraph.errors import DataSyntaxError, InputFileError
from gcmgraph.loader import default_sources, parse_source, read_source, resolve_sources

BAD = FIXTURES / "bad"

# file -> (line, words the reason must contain); lines are those the fixtures' comments state.
SYNTAX_CASES = {
    "unterminated-string.ttl": (3, "end of file"),
    "undefined-prefix.ttl": (3, "ex2: has not been declared"),
    "missing-dot.ttl": (4, "dot is expected"),
    "iri-with-space.ttl": (3, "Invalid IRI code point ' '"),
    "bad-language-tag.ttl": (3, "language code"),
    "invalid-date.ttl": (4, "'2018-02-30' is not a valid xsd:date"),
    "relative-iri.ttl": (3, "relative IRIs are not allowed"),
    "huge-decimal.ttl": (4, "'1E100000000' is not a valid xsd:decimal"),
    "binary.ttl": (2, "binary file"),
    "latin1.ttl": (3, "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(SYNTAX_CASES))
def test_malformed_file_is_rejected_with_its_line(name: str) -> None:
    line, words = SYNTAX_CASES[name]
    with pytest.raises(DataSyntaxError) as caught:
        parse_source(read_source(BAD / name))
    assert caught.value.line == line
    assert words in caught.value.reason
    assert str(caught.value).startswith(f"tests/fixtures/bad/{name}:{line}")


def test_empty_file_is_rejected() -> None:
    with pytest.raises(InputFileError, match="file is empty"):
        read_source(BAD / "empty.ttl")


def test_missing_file_is_rejected() -> None:
    with pytest.raises(InputFileError, match="no such file or folder"):
        resolve_sources([BAD / "does-not-exist.ttl"])


def test_folder_without_rdf_files_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not RDF")
    with pytest.raises(
        InputFileError,
        match=r"folder holds no RDF file \(\.ttl, \.nt, \.nq, \.trig, \.rdf, \.owl, \.xml, \.jsonld, or \.gz of one\)",
    ):
        resolve_sources([tmp_path])


def test_deep_nesting_is_read_without_recursion_error(tmp_path: Path) -> None:
    depth = 5000
    text = (
        "<https://e.org/a> <https://e.org/p> "
        + "[ <https://e.org/p> " * depth
        + "<https://e.org/b>"
        + " ]" * depth
        + " .\n"
    )
    path = tmp_path / "deep.ttl"
    path.write_text(text)
    assert len(parse_source(read_source(path))) == depth + 1


def test_every_bundled_turtle_file_parses_strictly() -> None:
    files = default_sources() + [ROOT / "ontology" / "shapes.ttl"] * (ROOT / "ontology" / "shapes.ttl").exists()
    assert len(files) >= 3
    for path in files:
        assert parse_source(read_source(path)), path


def test_each_file_has_its_own_named_graph() -> None:
    sources = resolve_sources()
    graphs = {s.graph for s in sources}
    assert len(graphs) == len(sources)
    assert "https://w3id.org/gcmgraph/graph/ontology/gcm" in graphs
    assert "https://w3id.org/gcmgraph/graph/data/states" in graphs


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2018-12-10", True),
        ("2018-02-30", False),
        ("2018-04-31", False),
        ("2016-02-29", True),
        ("2100-02-29", False),
        ("2000-02-29", True),
        ("2016-03-31", True),
        ("12345-01-01", True),
        ("2018-13-01", False),
        ("10-12-2018", False),
    ],
)
def test_dates_are_checked_against_the_calendar(value: str, valid: bool) -> None:
    from gcmgraph.lexical import XSD, is_valid

    assert is_valid(value, XSD + "date") is valid
