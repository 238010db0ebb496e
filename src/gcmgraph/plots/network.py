"""The actor network: organisations, UN bodies and people, and the events and documents they
organised, served in (as co-facilitator, president ...), took part in, issued or published.

Fed by the stored query ``plot-actor-network``. Actors stand in a column on the left, grouped by
kind; events and documents on the right, ordered so that links cross as little as a simple
deterministic rule allows (by the mean position of their actors).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import NothingToShowError
from ..sources import GraphSource
from . import svg
from ._rows import rows, source_names

WIDTH = 1440.0
ROW = 19.0
ACTOR_X = 20.0
ACTOR_RIGHT = 420.0
TARGET_LEFT = 930.0
RELATION_COLOURS = {
    "organised": "#1d4e89",
    "served in": "#b2182b",
    "participated in": "#2d7d46",
    "issued": "#e08214",
    "published": "#7b5ea7",
}
FAMILY_ORDER = ("UN", "Civil society", "Forum", "Other organisation", "Person")


def _family(kind: str) -> str:
    local = kind.rsplit("#", 1)[-1]
    if local.startswith("UN"):
        return "UN"
    if local == "Person":
        return "Person"
    if local == "IntergovernmentalForum":
        return "Forum"
    if local in ("CivilSocietyOrganization", "NonGovernmentalOrganization", "Coalition", "TradeUnion"):
        return "Civil society"
    return "Other organisation"


@dataclass
class Item:
    iri: str
    label: str
    group: str
    y: float = 0.0


@dataclass
class Edge:
    actor: str
    relation: str
    detail: str
    target: str
    sources: set[str] = field(default_factory=set)


def draw(graph: GraphSource) -> str:
    """The actor network as a standalone SVG document."""
    actors: dict[str, Item] = {}
    targets: dict[str, Item] = {}
    edges: dict[tuple[str, str, str, str], Edge] = {}
    kinds: dict[str, str] = {}
    for row in rows(graph, "plot-actor-network"):
        family = _family(row["kind"])
        actors.setdefault(row["actor"], Item(row["actor"], row["actor_label"], family))
        kinds[row["actor"]] = row["kind_label"]
        group = "Event" if "/id/event/" in row["target"] else "Document"
        targets.setdefault(row["target"], Item(row["target"], row["target_label"], group))
        key = (row["actor"], row["relation"], row.get("detail", ""), row["target"])
        edges.setdefault(key, Edge(*key)).sources.add(row["source"])
    if not edges:
        raise NothingToShowError("the graph holds no links between actors and events or documents")
    top = 96.0
    body: list[str] = []
    actor_order = sorted(actors.values(), key=lambda a: (FAMILY_ORDER.index(a.group), a.label, a.iri))
    y = top + 20
    previous = None
    headings: list[tuple[str, float, float]] = []
    for actor in actor_order:
        if actor.group != previous:
            y += 10 if previous else 0
            headings.append((actor.group, ACTOR_X, y))
            y += ROW
            previous = actor.group
        actor.y = y
        y += ROW
    actor_bottom = y
    linked: dict[str, list[float]] = defaultdict(list)
    for edge in edges.values():
        linked[edge.target].append(actors[edge.actor].y)
    y = top + 20
    for group in ("Event", "Document"):
        members = [t for t in targets.values() if t.group == group]
        if not members:
            continue
        members.sort(key=lambda t: (sum(linked[t.iri]) / len(linked[t.iri]), t.label, t.iri))
        y += 10 if y > top + 20 else 0
        headings.append((f"{group}s", TARGET_LEFT, y))
        y += ROW
        for target in members:
            target.y = y
            y += ROW
    height = max(actor_bottom, y) + 60
    heading = "Who did what: organisations, UN bodies and people in the GCM process"
    body.append(svg.text(ACTOR_X, 32, heading, 19, font_weight="bold"))
    body.append(
        svg.text(
            ACTOR_X,
            54,
            "Each line links an actor (left) to an event or document (right); its colour says how. States are "
            "not shown.",
            12,
            fill=svg.MUTED,
        )
    )
    x = ACTOR_X
    for name, colour in RELATION_COLOURS.items():
        body.append(svg.element("line", x1=x, y1=74.0, x2=x + 26, y2=74.0, stroke=colour, stroke_width=2.5))
        body.append(svg.text(x + 32, 78, name, 12))
        x += 46 + svg.text_width(name, 12)
    for name, hx, hy in headings:
        body.append(
            svg.text(hx, hy + 13, name if name != "UN" else "UN bodies", 13, font_weight="bold", fill=svg.MUTED)
        )
    for key in sorted(edges):
        edge = edges[key]
        actor, target = actors[edge.actor], targets[edge.target]
        x1, y1 = ACTOR_RIGHT + 6, actor.y + ROW / 2
        x2, y2 = TARGET_LEFT - 8, target.y + ROW / 2
        middle = (x1 + x2) / 2
        how = edge.relation + (f" ({edge.detail})" if edge.detail else "")
        body.append(
            svg.element(
                "path",
                [svg.title(f"{actor.label} {how} {target.label}. Source: {source_names(sorted(edge.sources))}")],
                d=f"M{svg.num(x1)},{svg.num(y1)} C{svg.num(middle)},{svg.num(y1)} {svg.num(middle)},{svg.num(y2)} "
                f"{svg.num(x2)},{svg.num(y2)}",
                fill="none",
                stroke=RELATION_COLOURS.get(edge.relation, svg.INK),
                stroke_width=1.6,
                stroke_opacity="0.75",
                class_="link",
                data_relation=edge.relation,
            )
        )
    for actor in actor_order:
        label = svg.truncate(actor.label, 62)
        body.append(
            svg.element(
                "g",
                [
                    svg.title(f"{actor.label} ({kinds[actor.iri]})"),
                    svg.text(ACTOR_RIGHT, actor.y + 13, label, 12, text_anchor="end"),
                    svg.element("circle", cx=ACTOR_RIGHT + 6, cy=actor.y + ROW / 2, r=3.5, fill=svg.INK),
                ],
                class_="actor",
                data_actor=actor.iri,
            )
        )
    for target in sorted(targets.values(), key=lambda t: t.y):
        body.append(
            svg.element(
                "g",
                [
                    svg.title(target.label),
                    svg.element("circle", cx=TARGET_LEFT - 8, cy=target.y + ROW / 2, r=3.5, fill=svg.INK),
                    svg.text(TARGET_LEFT, target.y + 13, svg.truncate(target.label, 70), 12),
                ],
                class_="target",
                data_target=target.iri,
            )
        )
    credit = "Drawn from the stored query plot-actor-network (gcmgraph plot actor-network)."
    body.append(svg.footnote(ACTOR_X, height - 16, credit))
    description = f"{len(actors)} actors, {len(targets)} events and documents, {len(edges)} links."
    return svg.document(WIDTH, height, heading, description, body)
