"""The document lineage: mandate, drafts, revisions, the adopted text and its endorsement.

Fed by the stored query ``plot-lineage``, whose links all point forward in time. Documents are laid
out left to right in columns by the longest chain of links that leads to them (so an undated draft
keeps its place between the versions around it), each box with its date where a source gives one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import NothingToShowError
from ..sources import GraphSource
from . import svg
from ._rows import rows, source_names
from .timeline import readable_date

BOX_WIDTH = 176.0
BOX_GAP = 62.0
LINE = 14.0
ACCENT = "#1d4e89"
RELATION_COLOURS = {
    "revised as": "#1d4e89",
    "adopted as": "#2d7d46",
    "endorsed by": "#b2182b",
    "mandates": "#7b5ea7",
    "contains": "#7b8794",
}


@dataclass
class Node:
    iri: str
    label: str
    date: str | None
    layer: int = 0
    y: float = 0.0
    lines: list[str] = field(default_factory=list)

    @property
    def height(self) -> float:
        return LINE * (len(self.lines) + (1 if self.date else 0)) + 14


@dataclass
class Link:
    source: str
    target: str
    relation: str
    sources: set[str] = field(default_factory=set)


def _graph(graph: GraphSource) -> tuple[dict[str, Node], list[Link]]:
    nodes: dict[str, Node] = {}
    links: dict[tuple[str, str, str], Link] = {}
    for row in rows(graph, "plot-lineage"):
        for end in ("from", "to"):
            nodes.setdefault(row[end], Node(row[end], row[f"{end}_label"], row.get(f"{end}_date")))
        key = (row["from"], row["to"], row["relation"])
        links.setdefault(key, Link(*key)).sources.add(row["source"])
    return nodes, [links[k] for k in sorted(links)]


def _layout(nodes: dict[str, Node], links: list[Link]) -> None:
    before: dict[str, list[str]] = defaultdict(list)
    after: dict[str, list[str]] = defaultdict(list)
    for link in links:
        before[link.target].append(link.source)
        after[link.source].append(link.target)
    order = sorted(nodes)
    for _ in range(len(nodes)):  # longest chain from a first document (the links form no cycle)
        for iri in order:
            nodes[iri].layer = max([nodes[p].layer + 1 for p in before[iri]], default=0)
    for _ in range(len(nodes)):  # a document with no predecessor sits just before what it leads to
        for iri in order:
            if not before[iri] and after[iri]:
                nodes[iri].layer = min(nodes[s].layer for s in after[iri]) - 1
    for node in nodes.values():
        node.lines = svg.wrap(node.label, BOX_WIDTH - 12, 11)
    layers: dict[int, list[Node]] = defaultdict(list)
    for node in nodes.values():
        layers[node.layer].append(node)

    def when(node: Node) -> str:
        """The node's date, or the nearest date around it, for ordering undated drafts."""
        if node.date:
            return node.date
        near = [date for i in (*before[node.iri], *after[node.iri]) if (date := nodes[i].date)]
        return min(near, default="9999")

    # Vertical order: a column follows the mean height of what leads to each document; a document
    # with nothing before it goes first in the first column (by date) and last in the others, so
    # that long links pass above it.
    placed: dict[str, float] = {}
    for layer in sorted(layers):

        def ideal(node: Node) -> float:
            parents = [placed[p] for p in before[node.iri] if p in placed]
            if parents:
                return sum(parents) / len(parents)
            return 0.0 if node.layer == 0 else float("inf")

        column = sorted(layers[layer], key=lambda n: (ideal(n), when(n), n.label))
        y = 0.0
        for node in column:
            target = ideal(node)
            node.y = y if target == float("inf") else max(y, target)
            y = node.y + node.height + 18
            placed[node.iri] = node.y


def draw(graph: GraphSource) -> str:
    """The lineage diagram as a standalone SVG document."""
    nodes, links = _graph(graph)
    if not nodes:
        raise NothingToShowError("the graph holds no lineage for this document")
    _layout(nodes, links)
    left, top = 20.0, 96.0
    columns = max(n.layer for n in nodes.values()) + 1
    width = left * 2 + columns * BOX_WIDTH + (columns - 1) * BOX_GAP
    height = top + max(n.y + n.height for n in nodes.values()) + 70

    def box_x(node: Node) -> float:
        return left + node.layer * (BOX_WIDTH + BOX_GAP)

    final = max(nodes.values(), key=lambda n: (n.layer, n.iri))
    heading = "Lineage of the Global Compact for Migration: mandate, drafts, adopted text, endorsement"
    body = [
        "<defs>",
        *(
            svg.element(
                "marker",
                svg.element("path", d="M0,0 L10,5 L0,10 z", fill=colour),
                id=f"arrow-{name.replace(' ', '-')}",
                viewBox="0 0 10 10",
                refX=10.0,
                refY=5.0,
                markerWidth=7.0,
                markerHeight=7.0,
                orient="auto",
            )
            for name, colour in sorted(RELATION_COLOURS.items())
        ),
        "</defs>",
        svg.text(left, 32, heading, 19, font_weight="bold"),
        svg.text(
            left,
            54,
            "Each arrow points forward in time and says how one text led to the next; dates are given where a "
            "source gives the day.",
            12,
            fill=svg.MUTED,
        ),
    ]
    legend_x = left
    for name, colour in RELATION_COLOURS.items():
        if not any(link.relation == name for link in links):
            continue
        body.append(
            svg.element("line", x1=legend_x, y1=74.0, x2=legend_x + 26, y2=74.0, stroke=colour, stroke_width=2.5)
        )
        body.append(svg.text(legend_x + 32, 78, name, 12))
        legend_x += 46 + svg.text_width(name, 12)
    for link in links:
        a, b = nodes[link.source], nodes[link.target]
        x1, y1 = box_x(a) + BOX_WIDTH, top + a.y + a.height / 2
        x2, y2 = box_x(b), top + b.y + b.height / 2
        # A link across several columns runs level and turns only in the last gap, above the boxes.
        c1 = x1 + max(30.0, (x2 - x1) / 2) if x2 - x1 <= BOX_GAP + 1 else x2 - BOX_GAP / 2
        c2 = x2 - max(30.0, (x2 - x1) / 2) if x2 - x1 <= BOX_GAP + 1 else x2 - BOX_GAP / 2
        colour = RELATION_COLOURS.get(link.relation, svg.INK)
        words = f"{a.label} — {link.relation} → {b.label}. Source: {source_names(sorted(link.sources))}"
        path = svg.element(
            "path",
            [svg.title(words)],
            d=f"M{svg.num(x1)},{svg.num(y1)} C{svg.num(c1)},{svg.num(y1)} "
            f"{svg.num(c2)},{svg.num(y2)} {svg.num(x2)},{svg.num(y2)}",
            fill="none",
            stroke=colour,
            stroke_width=2.0,
            marker_end=f"url(#arrow-{link.relation.replace(' ', '-')})",
            class_="link",
            data_relation=link.relation,
            data_from=link.source,
            data_to=link.target,
        )
        body.append(path)
    for iri in sorted(nodes):
        node = nodes[iri]
        x, y = box_x(node), top + node.y
        fill = "#fff7e6" if node is final else "#ffffff"
        when = f", {readable_date(node.date)}" if node.date else ", day not given in the sources"
        children = [
            svg.title(node.label + when),
            svg.element(
                "rect",
                x=x,
                y=y,
                width=BOX_WIDTH,
                height=node.height,
                rx=6.0,
                fill=fill,
                stroke=ACCENT,
                stroke_width=1.5,
            ),
        ]
        line_y = y + 18
        if node.date:
            children.append(svg.text(x + 8, line_y, readable_date(node.date), 11, font_weight="bold", class_="date"))
            line_y += LINE
        for line in node.lines:
            children.append(svg.text(x + 8, line_y, line, 11))
            line_y += LINE
        body.append(svg.element("g", children, class_="document", data_document=iri))
    body.append(svg.footnote(left, height - 16, "Drawn from the stored query plot-lineage (gcmgraph plot lineage)."))
    description = f"{len(nodes)} documents and {len(links)} links between them."
    return svg.document(width, height, heading, description, body)
