"""describe finds a resource by any of its names, without --inferred, whatever the case and accents,
locally and through an endpoint; an ambiguous name lists the candidates in one line."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from servers import oxigraph_server

from gcmgraph.cli import main
from gcmgraph.describe import folded, resolve
from gcmgraph.export import export
from gcmgraph.namespaces import PREFIXES

STATE = PREFIXES["state"]

# Names from reference/un-member-states.csv (short name, official name) and the labels in other
# languages in data/states.ttl. The public record names "Czech Republic" among the five states
# that voted against A/RES/73/195; the graph's label is the short name, Czechia.
NAMES = [
    ("Czech Republic", "cze"),
    ("czech republic", "cze"),
    ("Czechia", "cze"),
    ("cote d'ivoire", "civ"),
    ("CÔTE D’IVOIRE", "civ"),  # capitals and a typographic apostrophe
    ("Republic of Côte d'Ivoire", "civ"),
    ("Türkiye", "tur"),
    ("Turkiye", "tur"),
    ("Republic of Türkiye", "tur"),
    ("Maroc", "mar"),  # French
    ("摩洛哥", "mar"),  # Chinese
    ("  Kingdom   of Morocco ", "mar"),  # official name, with stray spaces
]


@pytest.mark.parametrize(("name", "code"), NAMES)
def test_any_name_of_a_state_finds_it(bundled, name: str, code: str) -> None:
    assert resolve(bundled, name) == STATE + code


def test_the_command_finds_the_czech_republic_without_inferred() -> None:
    result = CliRunner().invoke(main, ["describe", "Czech Republic"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Czechia  <{STATE}cze>"
    assert "  official name            Czech Republic" in result.stdout.splitlines()


def test_an_ambiguous_name_lists_the_candidates_in_one_line() -> None:
    # Principle (b) of the Compact is labelled "International cooperation"; objective 23 has it as its short name.
    result = CliRunner().invoke(main, ["describe", "International cooperation"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: 'International cooperation' names 2 resources: objective:gcm-23 (Objective 23: International "
        "cooperation), principle:gcm-b (International cooperation); give one of these\n"
    )


def test_a_name_written_exactly_wins_over_one_that_differs_only_in_case(bundled) -> None:
    assert resolve(bundled, "Capacity") == PREFIXES["gcm"] + "Capacity"  # the class
    assert resolve(bundled, "capacity") == PREFIXES["gcm"] + "capacity"  # the property


def test_an_unknown_name_suggests_names_that_contain_it() -> None:
    result = CliRunner().invoke(main, ["describe", "Czech Rep"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no resource has the IRI, prefixed name or name 'Czech Rep'; names containing it: state:cze (Czechia)\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Côte d’Ivoire", "cote d'ivoire"), ("TÜRKIYE", "turkiye"), ("São  Tomé", "sao tome"), ("Øresund", "oresund")],
)
def test_names_are_compared_without_case_accents_or_doubled_spaces(text: str, expected: str) -> None:
    assert folded(text) == expected


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server holding the bundled graph, one named graph per file."""
    with oxigraph_server(tmp_path_factory.mktemp("store")) as query:
        load = urllib.request.Request(
            query.removesuffix("/query") + "/store",
            data=export("nq").content,
            method="POST",
            headers={"Content-Type": "application/n-quads"},
        )
        urllib.request.urlopen(load, timeout=30).close()
        yield query


@pytest.mark.parametrize(("name", "code"), [("cote d'ivoire", "civ"), ("Czech Republic", "cze"), ("Turkiye", "tur")])
def test_names_are_found_the_same_way_through_an_endpoint(endpoint: str, name: str, code: str) -> None:
    result = CliRunner().invoke(main, ["describe", name, "--endpoint", endpoint, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(f'"iri": "{STATE}{code}"') == 1


def test_a_label_in_another_language_says_which() -> None:
    """Text marks a language other than English (``@fr``); JSON gives every text's language."""
    # data/states.ttl: Czechia's short name (UN member states table) and its French name (ISO 3166
    # translations, scripts/build_states.py).
    text = CliRunner().invoke(main, ["describe", "state:cze"]).stdout
    assert re.search(r"^  rdfs:label +Czechia$", text, re.MULTILINE)
    assert re.search(r"^  rdfs:label +Tchéquie  @fr$", text, re.MULTILINE)
    facts = json.loads(CliRunner().invoke(main, ["describe", "state:cze", "-f", "json"]).stdout)["facts"]
    assert {"value": "Tchéquie", "language": "fr"}.items() <= next(f for f in facts if f["value"] == "Tchéquie").items()
    assert next(f for f in facts if f["value"] == "Czechia")["language"] == "en"  # JSON says it always
