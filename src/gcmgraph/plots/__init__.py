"""Pictures of the process, each drawn from stored queries as a self-contained, deterministic SVG.

``draw_plot(graph, name)`` returns the SVG text of one picture; ``svg_to_png`` converts it. Every
picture reads the graph only through the stored queries it names (they are part of the query
catalogue), writes no random ids or dates, and refers to nothing outside itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import PlotOutputError, UnknownPlotError
from ..sources import GraphSource


@dataclass(frozen=True)
class PlotSpec:
    """One picture: its command-line name, what it shows and the stored queries that feed it."""

    name: str
    summary: str
    queries: tuple[str, ...]
    module: str


PLOTS: dict[str, PlotSpec] = {
    spec.name: spec
    for spec in (
        PlotSpec(
            "timeline",
            "The process from the New York Declaration on: phases as bands, events with their place",
            ("plot-timeline", "phases"),
            "timeline",
        ),
        PlotSpec(
            "vote-map",
            "The world coloured by each state's recorded position on the General Assembly endorsement",
            ("plot-vote-map", "plot-vote-totals"),
            "vote_map",
        ),
        PlotSpec(
            "lineage",
            "From the mandate through drafts and revisions to the adopted text and its endorsement",
            ("plot-lineage",),
            "lineage",
        ),
        PlotSpec(
            "actor-network",
            "Organisations, UN bodies and people linked to the events and documents",
            ("plot-actor-network",),
            "network",
        ),
    )
}


def plot_names() -> list[str]:
    return list(PLOTS)


def draw_plot(graph: GraphSource, name: str) -> str:
    """The picture ``name`` drawn from ``graph``, as SVG text."""
    spec = PLOTS.get(name)
    if spec is None:
        raise UnknownPlotError(name, list(PLOTS))
    module = importlib.import_module(f".{spec.module}", __name__)
    draw: Callable[[GraphSource], str] = module.draw  # each plot module defines draw(graph) -> SVG text
    return draw(graph)


def svg_to_png(svg_text: str) -> bytes:
    """The SVG rendered as PNG by CairoSVG (which needs the system's cairo library)."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        raise PlotOutputError(
            f"PNG output needs CairoSVG and the cairo library ({error}); write .svg instead, "
            "or install them (pip install cairosvg; apt-get install libcairo2)"
        ) from None
    png: bytes = cairosvg.svg2png(bytestring=svg_text.encode("utf-8"))  # untyped; bytes when given no write_to
    return png


__all__ = ["PLOTS", "PlotOutputError", "PlotSpec", "UnknownPlotError", "draw_plot", "plot_names", "svg_to_png"]
