"""The vote map: the world coloured by each state's recorded position in a recorded vote.

Fed by the stored queries ``plot-vote-map`` (every Member State with its ISO codes and, where a
source names it, its position) and ``plot-vote-totals`` (the totals of the vote). Country outlines
come from the ``pygal_maps_world`` package (keyed by ISO 3166-1 alpha-2 code), read from its SVG
file and written again with our own classes and titles. A state whose position the graph does not
hold is drawn as "not recorded", never given a guessed position.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from xml.etree import ElementTree as ET

from ..errors import NothingToShowError, PlotOutputError
from ..sources import GraphSource
from . import svg
from ._rows import rows, source_names
from .timeline import readable_date

WIDTH = 1200.0
MAP_WIDTH = 2475.0  # the outline file's viewBox
MAP_HEIGHT = 1388.0
SCALE = (WIDTH - 40) / MAP_WIDTH
GCM = "https://w3id.org/gcmgraph/ontology#"

#: position IRI -> (CSS class, fill colour, legend wording)
POSITIONS = {
    GCM + "Against": ("pos-against", "#b2182b", "voted against"),
    GCM + "Abstention": ("pos-abstained", "#f4a582", "abstained"),
    GCM + "InFavour": ("pos-in-favour", "#2166ac", "voted in favour"),
    GCM + "NotVoting": ("pos-not-voting", "#878787", "did not vote"),
}
DISPUTED = ("pos-disputed", "#9970ab", "position disputed between sources")
UNKNOWN = ("pos-unknown", "#e0e0e0", "position not recorded in our sources")
NOT_MEMBER = ("not-member", "#ffffff", "not a UN Member State in the graph")


@dataclass
class State:
    iso2: str
    iso3: str
    iri: str
    label: str
    positions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # position -> sources
    disputed: bool = False

    @property
    def style(self) -> tuple[str, str, str]:
        if self.disputed or len(self.positions) > 1:
            return DISPUTED
        if not self.positions:
            return UNKNOWN
        return POSITIONS.get(next(iter(self.positions)), UNKNOWN)


@cache
def outlines() -> dict[str, tuple[str, ...]]:
    """ISO alpha-2 code (upper case) -> the path data of that country's outline."""
    try:
        source = resources.files("pygal_maps_world").joinpath("worldmap.svg").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as error:
        raise PlotOutputError(f"the vote map needs the package pygal_maps_world ({error})") from None
    root = ET.fromstring(source)
    found: dict[str, tuple[str, ...]] = {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        classes = group.get("class", "").split()
        if "country" not in classes or not classes:
            continue
        paths = tuple(p.get("d", "") for p in group.iter("{http://www.w3.org/2000/svg}path"))
        found[classes[0].upper()] = paths
    return found


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_COMMAND = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


def bounding_box(paths: tuple[str, ...]) -> tuple[float, float, float, float]:
    """An approximate box around the outline (control points included): x0, y0, x1, y1."""
    xs: list[float] = []
    ys: list[float] = []
    for d in paths:
        x = y = 0.0
        start = (0.0, 0.0)
        command = "m"
        tokens = _COMMAND.findall(d)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.isalpha():
                command = token
                index += 1
                if command in "zZ":
                    x, y = start
                continue
            arity = _ARITY[command.lower()]
            args = [float(t) for t in tokens[index : index + arity]]
            index += arity
            relative = command.islower()
            lower = command.lower()
            if lower == "h":
                x = x + args[0] if relative else args[0]
            elif lower == "v":
                y = y + args[0] if relative else args[0]
            elif lower == "a":
                x, y = (x + args[5], y + args[6]) if relative else (args[5], args[6])
            else:
                for k in range(0, arity, 2):
                    px, py = (x + args[k], y + args[k + 1]) if relative else (args[k], args[k + 1])
                    xs.append(px)
                    ys.append(py)
                x, y = (x + args[-2], y + args[-1]) if relative else (args[-2], args[-1])
            xs.append(x)
            ys.append(y)
            if lower == "m":
                start = (x, y)
                command = "l" if relative else "L"
    return min(xs), min(ys), max(xs), max(ys)


def _states(graph: GraphSource, recorded_vote: str | None) -> list[State]:
    params = {"vote": [recorded_vote]} if recorded_vote else None
    states: dict[str, State] = {}
    for row in rows(graph, "plot-vote-map", params):
        state = states.setdefault(
            row["iso_alpha2"], State(row["iso_alpha2"], row["iso_alpha3"], row["state"], row["state_label"])
        )
        if "position" in row:
            state.positions[row["position"]].add(row.get("source", ""))
            state.disputed = state.disputed or row.get("disputed") == "true"
    return sorted(states.values(), key=lambda s: s.iso3)


def draw(graph: GraphSource, recorded_vote: str | None = None) -> str:
    """The vote map as a standalone SVG document."""
    states = _states(graph, recorded_vote)
    params = {"vote": [recorded_vote]} if recorded_vote else None
    totals_rows = rows(graph, "plot-vote-totals", params)
    if not totals_rows:
        raise NothingToShowError("the graph holds no such recorded vote")
    totals = totals_rows[0]
    vote_sources = source_names([r["source"] for r in totals_rows])
    shapes = outlines()
    by_code = {s.iso2: s for s in states}
    map_top = 92.0
    map_height = MAP_HEIGHT * SCALE
    body: list[str] = []
    heading = f"Recorded positions: {totals['recorded_vote_label']}"
    date = readable_date(totals["date"]) if "date" in totals else "unknown date"
    body.append(svg.text(20, 32, heading, 19, font_weight="bold"))
    body.append(
        svg.text(
            20,
            54,
            f"Vote of {date}: {totals.get('in_favour', '?')} in favour, {totals.get('against', '?')} against, "
            f"{totals.get('abstentions', '?')} abstentions, {totals.get('not_voting', '?')} did not vote "
            f"(sources: {vote_sources}).",
            13,
        )
    )
    body.append(
        svg.text(
            20,
            74,
            "Only the states our sources name are coloured; grey means the graph does not hold that state's "
            "position, which is not guessed.",
            12,
            fill=svg.MUTED,
        )
    )
    countries: list[str] = []
    markers: list[str] = []
    for code in sorted(shapes):
        paths = shapes[code]
        state = by_code.get(code)
        if state is None:
            css, fill, words = NOT_MEMBER
            label = f"{code}: {words}"
            extra = {"data_iso": code}
        else:
            css, fill, words = state.style
            sources = set().union(*state.positions.values()) if state.positions else set()
            label = f"{state.label} ({state.iso3}): {words}" + (
                f" (source: {source_names(sorted(sources))})" if sources else ""
            )
            extra = {"id": f"state-{state.iso3}", "data_iso": code, "data_iso3": state.iso3, "data_state": state.iri}
        children = [svg.title(label)] + [svg.element("path", d=d) for d in paths]
        countries.append(svg.element("g", children, class_=f"country {css}", fill=fill, **extra))
        if state is not None and state.positions:
            x0, y0, x1, y1 = bounding_box(paths)
            if (x1 - x0) * (y1 - y0) < 400:  # too small to see: mark it with a ringed dot
                markers.append(
                    svg.element(
                        "circle",
                        [svg.title(label)],
                        cx=(x0 + x1) / 2,
                        cy=(y0 + y1) / 2,
                        r=9.0,
                        fill=fill,
                        stroke="#1f2933",
                        stroke_width=2.0,
                        class_=f"marker {css}",
                        data_iso=code,
                    )
                )
    body.append(
        svg.element(
            "g",
            [*countries, *markers],
            transform=f"translate(20 {svg.num(map_top)}) scale({svg.num(SCALE)})",
            stroke="#7b8794",
            stroke_width=svg.num(0.6 / SCALE),
            stroke_linejoin="round",
            class_="map",
        )
    )
    y = map_top + map_height + 24
    legend, y = _legend(states, totals, y)
    body += legend
    missing = sorted(s.label for s in states if s.iso2 not in shapes)
    if missing:
        note = "Member States without an outline on this map: " + ", ".join(missing) + "."
        for line in svg.wrap(note, WIDTH - 40, 11):
            body.append(svg.text(20, y, line, 11, fill=svg.MUTED))
            y += 15
    y += 6
    credit = (
        "Drawn from the stored queries plot-vote-map and plot-vote-totals (gcmgraph plot vote-map); "
        "outlines from pygal_maps_world."
    )
    body.append(svg.footnote(20, y, credit))
    height = y + 16
    description = (
        f"World map of the positions recorded in the graph for {totals['recorded_vote_label']}: "
        + "; ".join(
            f"{len([s for s in states if s.style[0] == css])} {words}"
            for css, _fill, words in (*POSITIONS.values(), DISPUTED, UNKNOWN)
            if any(s.style[0] == css for s in states)
        )
        + "."
    )
    return svg.document(WIDTH, height, heading, description, body)


def _legend(states: list[State], totals: dict[str, str], y: float) -> tuple[list[str], float]:
    """One line per colour with its count, and the names of the states coloured."""
    parts: list[str] = []
    counted = {
        GCM + "Against": "against",
        GCM + "Abstention": "abstentions",
        GCM + "InFavour": "in_favour",
        GCM + "NotVoting": "not_voting",
    }
    for position, (css, fill, words) in POSITIONS.items():
        named = sorted(s.label for s in states if s.style[0] == css)
        total = totals.get(counted[position])
        if not named:
            continue  # no state is drawn in this colour; the total is given with "not recorded"
        count = len(named)
        line = f"{words.capitalize()}: {total if total is not None else '?'} in the vote"
        line += f", {count} named in our sources: " + ", ".join(named)
        parts.append(_swatch(20, y, fill, css))
        lines = svg.wrap(line, WIDTH - 80, 12)
        for index, text_line in enumerate(lines):
            parts.append(
                svg.text(
                    44,
                    y + 12 + index * 16,
                    text_line,
                    12,
                    class_=f"legend {css}",
                    data_count=str(count) if index == 0 else None,
                    data_total=total if index == 0 and total is not None else None,
                )
            )
        y += 16 * len(lines) + 6
    for css, fill, words in (DISPUTED, UNKNOWN):
        count = len([s for s in states if s.style[0] == css])
        if not count:
            continue
        line = f"{words.capitalize()}: {count} Member States"
        if css == UNKNOWN[0]:
            hidden = []
            if totals.get("in_favour"):
                hidden.append(f"{totals['in_favour']} in favour")
            if totals.get("not_voting"):
                hidden.append(f"{totals['not_voting']} that did not vote")
            if hidden:
                line += " (the vote counts " + " and ".join(hidden) + ", but our sources do not name them)"
        parts.append(_swatch(20, y, fill, css))
        parts.append(svg.text(44, y + 12, line, 12, class_=f"legend {css}", data_count=str(count)))
        y += 22
    parts.append(_swatch(20, y, NOT_MEMBER[1], NOT_MEMBER[0]))
    parts.append(svg.text(44, y + 12, "Outline of a territory that is not a UN Member State in the graph", 12))
    y += 30
    return parts, y


def _swatch(x: float, y: float, fill: str, css: str) -> str:
    return svg.element(
        "rect", x=float(x), y=float(y), width=16.0, height=14.0, fill=fill, stroke="#7b8794", class_=f"swatch {css}"
    )
