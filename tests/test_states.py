"""Tests of data/states.ttl and data/regions.ttl, and of the script that generates them.

The expected facts are copied by hand from reference/un-member-states.csv and
reference/public-record.md (section K), not from the script's output.
"""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pycountry
import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "build_states.py"
STATES_TTL = REPO / "data" / "states.ttl"
REGIONS_TTL = REPO / "data" / "regions.ttl"

GCM = "https://w3id.org/gcmgraph/ontology#"
STATE = "https://w3id.org/gcmgraph/id/state/"
REGION = "https://w3id.org/gcmgraph/id/region/"
DOCUMENT = "https://w3id.org/gcmgraph/id/document/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_EXACT_MATCH = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
XSD_GYEAR = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")

CSV_HEADER = "name_short,name_official,iso_alpha2,iso_alpha3,m49,un_region,continent,un_member_since\n"


def gcm(name: str) -> ox.NamedNode:
    return ox.NamedNode(GCM + name)


def state(code: str) -> ox.NamedNode:
    return ox.NamedNode(STATE + code)


def region(slug: str) -> ox.NamedNode:
    return ox.NamedNode(REGION + slug)


def document(slug: str) -> ox.NamedNode:
    return ox.NamedNode(DOCUMENT + slug)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    graph = ox.Store()
    for path in (STATES_TTL, REGIONS_TTL):
        graph.load(path=path, format=ox.RdfFormat.TURTLE)
    return graph


def objects(graph: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> set[ox.Term]:
    return {quad.object for quad in graph.quads_for_pattern(subject, predicate, None)}


def one(graph: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> ox.Term:
    found = objects(graph, subject, predicate)
    assert len(found) == 1, f"{subject} has {len(found)} values of {predicate}"
    return found.pop()


def instances(graph: ox.Store, cls: str) -> set[ox.NamedNode]:
    return {quad.subject for quad in graph.quads_for_pattern(None, RDF_TYPE, gcm(cls))}


def labels(graph: ox.Store, subject: ox.NamedNode, language: str) -> set[str]:
    return {
        term.value
        for term in objects(graph, subject, RDFS_LABEL)
        if isinstance(term, ox.Literal) and term.language == language
    }


# --- States -------------------------------------------------------------------------------


def test_there_are_193_member_states(store: ox.Store) -> None:
    assert len(instances(store, "State")) == 193


def test_switzerland_codes_region_and_admission(store: ox.Store) -> None:
    che = state("che")
    assert labels(store, che, "en") == {"Switzerland"}
    assert one(store, che, gcm("officialName")) == ox.Literal("Swiss Confederation", language="en")
    assert one(store, che, gcm("isoAlpha2")) == ox.Literal("CH")
    assert one(store, che, gcm("isoAlpha3")) == ox.Literal("CHE")
    assert one(store, che, gcm("m49Code")) == ox.Literal("756")
    assert one(store, che, gcm("unMemberSince")) == ox.Literal("2002", datatype=XSD_GYEAR)
    assert one(store, che, gcm("unRegion")) == region("western-europe")
    assert one(store, che, gcm("continent")) == region("europe")


def test_morocco_codes(store: ox.Store) -> None:
    mar = state("mar")
    assert one(store, mar, gcm("isoAlpha2")) == ox.Literal("MA")
    assert one(store, mar, gcm("isoAlpha3")) == ox.Literal("MAR")
    assert one(store, mar, gcm("m49Code")) == ox.Literal("504")
    assert one(store, mar, gcm("unRegion")) == region("northern-africa")


def test_south_sudan_was_admitted_in_2011(store: ox.Store) -> None:
    ssd = state("ssd")
    assert labels(store, ssd, "en") == {"South Sudan"}
    assert one(store, ssd, gcm("unMemberSince")) == ox.Literal("2011", datatype=XSD_GYEAR)


def test_m49_code_keeps_leading_zeros(store: ox.Store) -> None:
    assert one(store, state("afg"), gcm("m49Code")) == ox.Literal("004")


def test_every_state_is_a_un_member_with_codes_and_source(store: ox.Store) -> None:
    united_nations = ox.NamedNode("https://w3id.org/gcmgraph/id/organization/united-nations")
    for subject in instances(store, "State"):
        assert len(labels(store, subject, "en")) == 1, subject
        code = one(store, subject, gcm("isoAlpha3")).value
        assert subject == state(code.lower())
        assert one(store, subject, gcm("memberOf")) == united_nations
        assert document("reference-un-member-states") in objects(store, subject, gcm("source"))
        assert one(store, subject, gcm("unMemberSince")).datatype == XSD_GYEAR


def test_official_name_only_where_it_differs(store: ox.Store) -> None:
    assert objects(store, state("can"), gcm("officialName")) == set()
    assert one(store, state("mex"), gcm("officialName")) == ox.Literal("United Mexican States", language="en")


def test_germany_is_named_in_french_and_spanish(store: ox.Store) -> None:
    deu = state("deu")
    assert labels(store, deu, "fr") == {"Allemagne"}
    assert labels(store, deu, "es") == {"Alemania"}


def test_no_state_has_two_labels_in_one_language(store: ox.Store) -> None:
    for subject in instances(store, "State"):
        for language in ("en", "ar", "es", "fr", "ru", "zh"):
            assert len(labels(store, subject, language)) <= 1, (subject, language)


def test_missing_translation_is_not_invented(store: ox.Store) -> None:
    # Whether pycountry's Arabic catalogue names Türkiye decides whether the graph does.
    class Untranslated(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return ""

    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    catalogue.add_fallback(Untranslated())
    translation = catalogue.gettext(pycountry.countries.get(alpha_3="TUR").name)
    assert labels(store, state("tur"), "ar") == ({translation} if translation else set())


def test_wikidata_links_only_for_the_four_states_in_the_public_record(
    store: ox.Store,
) -> None:
    links = {
        quad.subject: quad.object
        for quad in store.quads_for_pattern(None, SKOS_EXACT_MATCH, None)
        if quad.subject.value.startswith(STATE)
    }
    assert links == {
        state("che"): ox.NamedNode("http://www.wikidata.org/entity/Q39"),
        state("mex"): ox.NamedNode("http://www.wikidata.org/entity/Q96"),
        state("mar"): ox.NamedNode("http://www.wikidata.org/entity/Q1028"),
        state("usa"): ox.NamedNode("http://www.wikidata.org/entity/Q30"),
    }
    for subject in links:
        assert document("reference-public-record") in objects(store, subject, gcm("source"))


# --- Regions ------------------------------------------------------------------------------


def test_five_continents_and_22_geoscheme_regions(store: ox.Store) -> None:
    regions = instances(store, "Region")
    continents = {region(name) for name in ("africa", "america", "asia", "europe", "oceania")}
    assert continents <= regions
    assert len(regions) == 5 + 22


def test_geoscheme_region_slugs_and_continents(store: ox.Store) -> None:
    south_eastern_asia = region("south-eastern-asia")
    assert labels(store, south_eastern_asia, "en") == {"South-eastern Asia"}
    assert one(store, south_eastern_asia, gcm("locatedIn")) == region("asia")
    anz = region("australia-and-new-zealand")
    assert labels(store, anz, "en") == {"Australia and New Zealand"}
    assert one(store, anz, gcm("locatedIn")) == region("oceania")
    assert one(store, region("caribbean"), gcm("locatedIn")) == region("america")


def test_every_region_has_label_and_source(store: ox.Store) -> None:
    for subject in instances(store, "Region"):
        assert len(labels(store, subject, "en")) == 1, subject
        assert objects(store, subject, gcm("source")) == {document("reference-un-member-states")}


def test_states_point_to_defined_regions(store: ox.Store) -> None:
    regions = instances(store, "Region")
    for subject in instances(store, "State"):
        assert one(store, subject, gcm("unRegion")) in regions
        assert one(store, subject, gcm("continent")) in regions


# --- The script ---------------------------------------------------------------------------


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_regenerating_gives_the_committed_bytes(tmp_path: Path) -> None:
    for run in ("first", "second"):
        result = run_script("--output-dir", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
    for name, committed in (("states.ttl", STATES_TTL), ("regions.ttl", REGIONS_TTL)):
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes()
        assert first == committed.read_bytes(), f"data/{name} is stale: run the script"


def test_code_disagreeing_with_pycountry_stops_the_build(tmp_path: Path) -> None:
    reference = tmp_path / "states.csv"
    reference.write_text(
        CSV_HEADER
        + "Morocco,Kingdom of Morocco,MA,MAR,504,Northern Africa,Africa,1956\n"
        + "Switzerland,Swiss Confederation,CX,CHE,756,Western Europe,Europe,2002\n",
        encoding="utf-8",
    )
    result = run_script(str(reference), "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "line 3: Switzerland (CHE) has alpha-2 CX in the CSV but CH in pycountry" in (result.stderr)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
