"""The pictures, checked against the sources: places on the timeline, positions on the vote map,
the legend's counts, the lineage's links; and that each picture is deterministic and self-contained."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from gcmgraph.cli import main
from gcmgraph.plots import PLOTS, draw_plot

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/gcmgraph/id/"

# Public record fact 4 (V-UN): the five states that voted against A/RES/73/195.
AGAINST = {"CZ", "HU", "IL", "PL", "US"}
# Public record fact 5: the twelve that abstained (Algeria, Australia, Austria, Bulgaria, Chile, Italy,
# Latvia, Libya, Liechtenstein, Romania, Singapore, Switzerland).
ABSTAINED = {"DZ", "AU", "AT", "BG", "CL", "IT", "LV", "LY", "LI", "RO", "SG", "CH"}


@pytest.fixture(scope="module")
def pictures(bundled) -> dict[str, str]:
    return {name: draw_plot(bundled, name) for name in PLOTS}


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def texts(element: ET.Element) -> str:
    return "".join(element.itertext())


def group(root: ET.Element, attribute: str, value: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get(attribute) == value]
    assert len(found) == 1, f"expected one group with {attribute}={value}, found {len(found)}"
    return found[0]


def place_of(root: ET.Element, event: str) -> str:
    row = group(root, "data-event", ID + "event/" + event)
    places = [t for t in row.iter(f"{SVG}text") if t.get("class") == "place"]
    assert places, f"no place drawn for {event}"
    return texts(places[0])


def test_timeline_names_vienna_for_the_session_on_smuggling_and_trafficking(pictures):
    # Seed 000 and public record fact 60: TS5 Vienna, 4-5 September 2017.
    root = parse(pictures["timeline"])
    assert place_of(root, "thematic-session-5") == "Vienna"
    assert "4–5 September 2017" in texts(group(root, "data-event", ID + "event/thematic-session-5"))


def test_timeline_names_marrakech_for_the_intergovernmental_conference(pictures):
    # Public record fact 11: Marrakech, Morocco, 10 and 11 December 2018.
    root = parse(pictures["timeline"])
    assert place_of(root, "marrakech-conference-2018") == "Marrakech"
    assert "10–11 December 2018" in texts(group(root, "data-event", ID + "event/marrakech-conference-2018"))


def test_timeline_runs_from_the_new_york_declaration_to_the_latest_follow_up(pictures):
    root = parse(pictures["timeline"])
    events = [g.get("data-event") for g in root.iter(f"{SVG}g") if g.get("class") == "event"]
    assert events[0] in (ID + "event/nyd-adoption-2016", ID + "event/nyd-summit-2016")
    assert events[-1] == ID + "event/progress-declaration-endorsement-2022"  # 7 June 2022, fact 41
    assert ID + "event/hld-2013" not in events  # before the New York Declaration


def test_timeline_draws_disputed_phase_boundaries_as_disputed(pictures):
    # Public record L6: the stocktaking phase's start and end and the negotiation phase's start are disputed;
    # the consultation phase (April to November 2017) is agreed.
    root = parse(pictures["timeline"])

    def disputed(phase: str) -> int:
        band = group(root, "data-phase", ID + "phase/" + phase)
        return len([r for r in band.iter(f"{SVG}rect") if r.get("class") == "disputed"])

    assert disputed("consultation") == 0
    assert disputed("stocktaking") == 2
    assert disputed("negotiation") == 1
    assert "Apr 2017 to Nov 2017" in texts(group(root, "data-phase", ID + "phase/consultation"))
    assert "Jan 2018 or Feb 2018" in texts(group(root, "data-phase", ID + "phase/negotiation"))


def test_vote_map_colours_each_state_by_its_recorded_position(pictures):
    root = parse(pictures["vote-map"])
    classes = {g.get("data-iso"): g.get("class", "").split() for g in root.iter(f"{SVG}g") if g.get("data-iso")}
    for code in AGAINST:
        assert "pos-against" in classes[code], code
    for code in ABSTAINED:
        assert "pos-abstained" in classes[code], code
    coloured = {code for code, css in classes.items() if "pos-against" in css or "pos-abstained" in css}
    assert coloured == AGAINST | ABSTAINED


def test_vote_map_never_guesses_a_position_the_graph_does_not_hold(pictures):
    root = parse(pictures["vote-map"])
    classes = {g.get("data-iso"): g.get("class", "").split() for g in root.iter(f"{SVG}g") if g.get("data-iso")}
    # Morocco hosted the conference and France, Germany and Mexico are not named by any source:
    # the graph does not hold their positions (public record M2).
    for code in ("MA", "FR", "DE", "MX"):
        assert "pos-unknown" in classes[code], code
    assert not any("pos-in-favour" in css or "pos-not-voting" in css for css in classes.values())
    assert "not-member" in classes["GL"]  # Greenland is no UN Member State
    assert "Switzerland (CHE): abstained" in texts(group(root, "id", "state-CHE"))


def test_vote_map_legend_counts_equal_what_the_graph_holds(pictures, bundled):
    from gcmgraph import run_query

    totals = run_query(bundled, "plot-vote-totals").records()[0]
    named = run_query(bundled, "plot-vote-map").records()
    root = parse(pictures["vote-map"])
    legend = {
        t.get("class").split()[1]: t
        for t in root.iter(f"{SVG}text")
        if "legend" in t.get("class", "") and t.get("data-count")
    }
    against = [r for r in named if r.get("position") and r["position"].value.endswith("#Against")]
    abstained = [r for r in named if r.get("position") and r["position"].value.endswith("#Abstention")]
    assert legend["pos-against"].get("data-count") == str(len(against)) == "5"
    assert legend["pos-against"].get("data-total") == totals["against"].value == "5"
    assert legend["pos-abstained"].get("data-count") == str(len(abstained)) == "12"
    assert legend["pos-abstained"].get("data-total") == totals["abstentions"].value == "12"
    assert legend["pos-unknown"].get("data-count") == str(193 - 17)
    everything = texts(root)
    assert "152 in favour, 5 against, 12 abstentions, 24 did not vote" in everything  # facts 3 and 6
    assert "the vote counts 152 in favour and 24 that did not vote, but our sources do not name them" in everything


def test_lineage_links_drafts_to_the_adopted_text_and_its_endorsement(pictures):
    root = parse(pictures["lineage"])
    links = {
        (p.get("data-from").rsplit("/", 1)[-1], p.get("data-relation"), p.get("data-to").rsplit("/", 1)[-1])
        for p in root.iter(f"{SVG}path")
        if p.get("class") == "link"
    }
    # Public record facts 64-69 and L2: zero draft -> Zero Draft Plus -> Rev 1 -> Rev 3 -> Final Draft -> agreed text.
    for step in (
        ("zero-draft", "zero-draft-plus"),
        ("zero-draft-plus", "draft-rev-1"),
        ("draft-rev-1", "draft-rev-3"),
        ("draft-rev-3", "final-draft"),
        ("final-draft", "agreed-text"),
    ):
        assert (step[0], "revised as", step[1]) in links
    assert ("agreed-text", "adopted as", "gcm") in links
    assert ("gcm", "endorsed by", "a-res-73-195") in links  # facts 7 and 8
    assert ("a-res-71-1", "mandates", "gcm") in links  # seed 001: the Declaration decided to develop the compact
    zero = group(root, "data-document", ID + "document/zero-draft")
    assert "5 February 2018" in texts(zero)  # fact 64
    assert "19 December 2018" in texts(group(root, "data-document", ID + "document/a-res-73-195"))


def test_actor_network_links_the_co_facilitators_to_the_process(pictures):
    root = parse(pictures["actor-network"])
    titles = [texts(p.find(f"{SVG}title")) for p in root.iter(f"{SVG}path") if p.get("class") == "link"]
    # Public record fact 53: Juan José Gómez Camacho and Jürg Lauber co-facilitated the GCM process.
    for person in ("Juan José Gómez Camacho", "Jürg Lauber"):
        assert any(t.startswith(f"{person} served in (Co-facilitator of the GCM process)") for t in titles), person
    assert any(
        t.startswith("National Network for Immigrant and Refugee Rights participated in (observer)") for t in titles
    )


@pytest.mark.parametrize("name", list(PLOTS))
def test_picture_is_deterministic_and_self_contained(name, bundled, pictures):
    text = pictures[name]
    assert draw_plot(bundled, name) == text
    root = parse(text)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None and texts(root.find(f"{SVG}title")).strip()
    assert not root.findall(f".//{SVG}script") and not root.findall(f".//{SVG}image")
    assert not root.findall(f".//{SVG}foreignObject")
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.endswith("href") or key in ("src",):
                assert value.startswith("#"), (name, key, value)
    assert not re.search(r"url\((?!#)", text)
    assert "@import" not in text
    assert len(root.findall(f".//{SVG}text")) >= 5  # readable labels, not only shapes


def test_plot_command_writes_svg(tmp_path):
    target = tmp_path / "timeline.svg"
    result = CliRunner().invoke(main, ["plot", "timeline", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    assert "Vienna" in target.read_text(encoding="utf-8")


def test_plot_command_writes_png(tmp_path):
    pytest.importorskip("cairosvg", reason="PNG output needs CairoSVG")
    target = tmp_path / "vote-map.png"
    result = CliRunner().invoke(main, ["plot", "vote-map", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1200 and height > 600


def test_plot_command_prints_svg_on_stdout():
    result = CliRunner().invoke(main, ["plot", "lineage"])
    assert result.exit_code == 0
    assert "<svg" in result.stdout and "Zero Draft" in result.stdout


def test_unknown_picture_exits_2_with_one_line():
    result = CliRunner().invoke(main, ["plot", "pie"])
    assert result.exit_code == 2
    assert result.stderr == "Error: unknown picture 'pie' (known: timeline, vote-map, lineage, actor-network)\n"


def test_unknown_picture_format_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["plot", "timeline", "-o", str(tmp_path / "t.pdf")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --output ") and result.stderr.endswith(
        ": give a file ending in .svg .png, or --format\n"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", list(PLOTS))
def test_committed_picture_matches_the_data(name, pictures):
    """docs/img/NAME.svg (shown in the README) is what `gcmgraph plot NAME` draws from the bundled data."""
    from pathlib import Path

    committed = Path(__file__).resolve().parents[1] / "docs" / "img" / f"{name}.svg"
    if not committed.is_file():
        pytest.skip(f"{committed.name} is not committed")
    assert committed.read_text(encoding="utf-8") == pictures[name], (
        f"docs/img/{name}.svg is stale: run gcmgraph plot {name} -o docs/img/{name}.svg"
    )
