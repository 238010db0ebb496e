"""After OWL RL inference, queries written with the standard vocabularies users already know find
the same facts as queries written with gcm: terms (issue 2)."""

from __future__ import annotations

import pytest

from gcmgraph import open_graph

ID = "https://w3id.org/gcmgraph/id/"
PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
"""


@pytest.fixture(scope="module")
def inferred():
    return open_graph(inferred=True)


def ask(graph, pattern: str) -> bool:
    return bool(graph.query(PREFIXES + f"ASK {{ {pattern} }}", timeout=None).boolean)


def test_marrakech_conference_by_schema_org(inferred) -> None:
    # Public record fact 11: Marrakech, Morocco, 10 and 11 December 2018.
    event = f"<{ID}event/marrakech-conference-2018>"
    assert ask(inferred, f'{event} schema:startDate "2018-12-10"^^<http://www.w3.org/2001/XMLSchema#date>')
    assert ask(inferred, f"{event} schema:location <{ID}place/marrakech>")


def test_lineage_by_prov_was_revision_of(inferred) -> None:
    # Public record fact 69: zero draft (5 Feb 2018) -> Rev 1 -> final draft -> agreed text (13 Jul 2018).
    assert ask(inferred, f"<{ID}document/agreed-text> prov:wasRevisionOf <{ID}document/zero-draft>")


def test_membership_by_w3c_org(inferred) -> None:
    # reference/un-member-states.csv: Switzerland is a UN Member State (since 2002).
    assert ask(inferred, f"<{ID}state/che> org:memberOf <{ID}organization/united-nations>")


def test_sources_by_dublin_core(inferred) -> None:
    # Seed 001 lists Thematic Session 5 and its full title.
    assert ask(inferred, f"<{ID}event/thematic-session-5> dcterms:source <{ID}document/seed-gcm-phases>")


def test_standard_terms_find_nothing_without_inference() -> None:
    assert not ask(open_graph(), f"<{ID}state/che> org:memberOf ?o")
