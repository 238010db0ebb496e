"""The timeline of the process: phases as bands, events as marks with their place.

Fed by the stored queries ``plot-timeline`` (events) and ``phases`` (phase boundaries, agreed or
disputed), which give every date as ``gcm:startDate``/``gcm:endDate`` and a precision (day, month
or year). An event dated only to a month or a year is drawn over that whole month or year, dashed.
A boundary the sources disagree on is drawn hatched over every month some source gives, never as
one chosen month. Long gaps without events (2019 to 2022) are cut out of the time axis and the
cut is marked.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import NothingToShowError
from ..sources import GraphSource
from . import svg
from ._rows import rows, source_names

WIDTH = 1640.0
LEFT, RIGHT = 24.0, 24.0
CHART_LEFT = 800.0  # the text columns (date, event, place) are left of it, the time axis right of it
LABEL_X, PLACE_X = 184.0, 614.0
ROW = 17.0
PHASE_ROW = 24.0
GAP = 36.0  # width of a cut in the time axis
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ACCENT = "#1d4e89"
PHASE_COLOURS = ("#f2c14e", "#8cb369", "#4d9de0")


def month_index(year: int, month: int) -> float:
    """Months since January 2000: the unit of the time axis."""
    return (year - 2000) * 12 + (month - 1)


def day_position(text: str) -> float:
    year, month, day = (int(part) for part in text.split("-"))
    return month_index(year, month) + (day - 1) / calendar.monthrange(year, month)[1]


def span(start: str, end: str | None) -> tuple[float, float]:
    """The interval from the first to the end of the last day on the axis."""
    year, month, _ = (int(p) for p in (end or start).split("-"))
    return day_position(start), day_position(end or start) + 1 / calendar.monthrange(year, month)[1]


def precision_of(iri: str) -> str:
    """``day``, ``month`` or ``year`` from gcm:DayPrecision, gcm:MonthPrecision or gcm:YearPrecision."""
    return iri.rsplit("#", 1)[-1].removesuffix("Precision").lower()


def readable_date(start: str, end: str | None = None, precision: str | None = None) -> str:
    """``4–5 September 2017``, ``September 2017`` or ``2017``: as precise as the sources.

    ``start`` and ``end`` are days; ``precision`` (day, month or year) says how many of their parts
    the sources give. Without a precision, a shorter text (``2017-09``, ``2017``) is read as one."""
    if precision in ("month", "year"):
        last = end or start
        if precision == "year":
            return start[:4] if start[:4] == last[:4] else f"{start[:4]}–{last[:4]}"
        first = f"{calendar.month_name[int(start[5:7])]} {start[:4]}"
        if start[:7] == last[:7]:
            return first
        if start[:4] == last[:4]:
            return f"{MONTHS[int(start[5:7]) - 1]} – {MONTHS[int(last[5:7]) - 1]} {start[:4]}"
        return f"{MONTHS[int(start[5:7]) - 1]} {start[:4]} – {MONTHS[int(last[5:7]) - 1]} {last[:4]}"
    parts = [int(p) for p in start.split("-")]
    if len(parts) == 1:
        return f"{parts[0]}"
    if len(parts) == 2:
        return f"{calendar.month_name[parts[1]]} {parts[0]}"
    year, month, day = parts
    if end and end != start:
        y2, m2, d2 = (int(p) for p in end.split("-"))
        if (y2, m2) == (year, month):
            return f"{day}–{d2} {calendar.month_name[month]} {year}"
        if y2 == year:
            return f"{day} {MONTHS[month - 1]} – {d2} {MONTHS[m2 - 1]} {year}"
        return f"{day} {MONTHS[month - 1]} {year} – {d2} {MONTHS[m2 - 1]} {y2}"
    return f"{day} {calendar.month_name[month]} {year}"


@dataclass
class Event:
    iri: str
    label: str
    start: str
    end: str
    precision: str
    place: str | None
    sources: set[str] = field(default_factory=set)


@dataclass
class Boundary:
    months: dict[str, bool] = field(default_factory=dict)  # month -> asserted
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def agreed(self) -> bool:
        return len(self.months) == 1 and all(self.months.values())


@dataclass
class Phase:
    iri: str
    label: str
    ordinal: int
    start: Boundary = field(default_factory=Boundary)
    end: Boundary = field(default_factory=Boundary)


class Axis:
    """Maps months to x, with stretches without events cut out."""

    def __init__(self, intervals: list[tuple[float, float]], left: float, right: float):
        ordered = sorted(intervals)
        segments: list[list[float]] = []
        for first, last in ordered:
            if segments and first - segments[-1][1] <= 12:
                segments[-1][1] = max(segments[-1][1], last)
            else:
                segments.append([first, last])
        self.segments = [(float(int(a)) - 1, float(int(b + 0.999)) + 1) for a, b in segments]
        months = sum(b - a for a, b in self.segments)
        self.scale = (right - left - GAP * (len(self.segments) - 1)) / months
        self.left = left
        self.starts: list[float] = []
        x = left
        for a, b in self.segments:
            self.starts.append(x)
            x += (b - a) * self.scale + GAP

    def x(self, month: float) -> float:
        for (a, b), x0 in zip(self.segments, self.starts, strict=True):
            if month <= b:
                return x0 + (max(month, a) - a) * self.scale
        a, b = self.segments[-1]
        return self.starts[-1] + (b - a) * self.scale

    def cuts(self) -> list[float]:
        """x of the middle of each cut."""
        return [x0 - GAP / 2 for x0 in self.starts[1:]]


def _events(graph: GraphSource) -> list[Event]:
    events: dict[str, Event] = {}
    for row in rows(graph, "plot-timeline"):
        precision = precision_of(row["precision"])
        event = Event(row["event"], row["event_label"], row["start"], row["end"], precision, row.get("place_label"))
        event.sources.update(row["source"].split("; "))
        events[row["event"]] = event
    return sorted(events.values(), key=lambda e: (e.start, e.end, e.iri))


def _phases(graph: GraphSource) -> list[Phase]:
    phases: dict[str, Phase] = {}
    for row in rows(graph, "phases"):
        phase = phases.setdefault(row["phase"], Phase(row["phase"], row["phase_label"], int(row["ordinal"])))
        sources = set(row["source"].split("; "))
        # A boundary the sources agree on is the month of the phase's start or end date; a disputed one
        # is every month a claim gives for it, none of them adopted.
        for boundary, day, claimed in (
            (phase.start, row["start"], row.get("start_claimed")),
            (phase.end, row["end"], row.get("end_claimed")),
        ):
            for month in claimed.split("; ") if claimed else [day[:7]]:
                boundary.months[month] = not claimed
                boundary.sources[month] |= sources
    return sorted(phases.values(), key=lambda p: (p.ordinal, p.iri))


def _month_range(months: list[str]) -> tuple[float, float]:
    values = [month_index(*(int(p) for p in m.split("-"))) for m in months]
    return min(values), max(values) + 1


def _short_month(month: str) -> str:
    year, number = (int(p) for p in month.split("-"))
    return f"{MONTHS[number - 1]} {year}"


def _boundary_words(boundary: Boundary) -> str:
    names = [_short_month(m) for m in sorted(boundary.months)]
    return names[0] if boundary.agreed else " or ".join(names)


def _phase_words(phase: Phase) -> str:
    words = f"{phase.label}: {_boundary_words(phase.start)} to {_boundary_words(phase.end)}"
    disputed = [name for name, b in (("start", phase.start), ("end", phase.end)) if not b.agreed]
    if disputed:
        words += f" ({' and '.join(disputed)} disputed)"
    return words


def draw(graph: GraphSource) -> str:
    """The timeline as a standalone SVG document."""
    events = _events(graph)
    phases = _phases(graph)
    if not events:
        raise NothingToShowError("the graph holds no events for the timeline")
    intervals = [span(e.start, e.end) for e in events]
    axis = Axis(intervals, CHART_LEFT, WIDTH - RIGHT)
    top = 70.0
    phase_top = top + 26
    events_top = phase_top + PHASE_ROW * len(phases) + 16
    height = events_top + ROW * len(events) + 80
    body: list[str] = [
        "<defs>",
        svg.element(
            "pattern",
            svg.element("rect", width=6.0, height=6.0, fill="#ffffff")
            + svg.element("path", d="M0,6 L6,0", stroke="#7b8794", stroke_width=1.2),
            id="timeline-disputed",
            width=6.0,
            height=6.0,
            patternUnits="userSpaceOnUse",
        ),
        "</defs>",
    ]
    first, last = events[0], events[-1]
    heading = (
        f"Timeline of the GCM process, {readable_date(first.start, None, first.precision)} to "
        f"{readable_date(last.start, last.end, last.precision)}"
    )
    body.append(svg.text(LEFT, 30, heading, 20, font_weight="bold"))
    body.append(
        svg.text(
            LEFT,
            52,
            "Phases as bands (hatched where the sources disagree on a boundary month); events as marks with "
            "their place. Dashed marks: the sources give only the month or the year.",
            12,
            fill=svg.MUTED,
        )
    )
    for index in range(0, len(events), 2):
        y = events_top + index * ROW
        body.append(svg.element("rect", x=LEFT, y=y, width=WIDTH - LEFT - RIGHT, height=ROW, fill="#f5f7fa"))
    body.append(svg.text(LEFT, events_top - 4, "When", 11, font_weight="bold", fill=svg.MUTED))
    body.append(svg.text(LABEL_X, events_top - 4, "Event", 11, font_weight="bold", fill=svg.MUTED))
    body.append(svg.text(PLACE_X, events_top - 4, "Where", 11, font_weight="bold", fill=svg.MUTED))
    body += _axis(axis, top, height - 50)
    body += _phase_bands(axis, phases, phase_top, events_top, height - 50)
    for index, event in enumerate(events):
        body.append(_event_row(axis, event, events_top + index * ROW))
    credit = "Drawn from the stored queries plot-timeline and phases (gcmgraph plot timeline)."
    body.append(svg.footnote(LEFT, height - 12, credit))
    description = (
        f"{len(events)} events from {readable_date(first.start, None, first.precision)} to "
        f"{readable_date(last.start, None, last.precision)} and "
        f"{len(phases)} phases of the process."
    )
    return svg.document(WIDTH, height, heading, description, body)


def _axis(axis: Axis, top: float, bottom: float) -> list[str]:
    parts: list[str] = []
    for (a, b), _x0 in zip(axis.segments, axis.starts, strict=True):
        month = int(a)
        while month <= int(b):
            x = axis.x(month)
            year, month_of_year = 2000 + month // 12, month % 12
            if month_of_year == 0:
                parts.append(svg.element("line", x1=x, y1=top, x2=x, y2=bottom, stroke="#9aa5b1", stroke_width=1.0))
                parts.append(svg.text(x + 3, top + 12, str(year), 12, font_weight="bold"))
            elif month_of_year % 3 == 0:
                parts.append(
                    svg.element("line", x1=x, y1=top + 16, x2=x, y2=bottom, stroke="#e4e7eb", stroke_width=1.0)
                )
                parts.append(svg.text(x + 2, top + 12, MONTHS[month_of_year], 10, fill=svg.MUTED))
            month += 1
    for x in axis.cuts():
        parts.append(
            svg.element(
                "path",
                d=f"M{svg.num(x - 5)},{svg.num(top)} l10,8 l-10,8 l10,8 V{svg.num(bottom)}",
                fill="none",
                stroke="#9aa5b1",
                stroke_dasharray="4 3",
            )
        )
        parts.append(svg.text(x, bottom + 14, "years without events cut", 9, fill=svg.MUTED, text_anchor="middle"))
    return parts


def _phase_bands(axis: Axis, phases: list[Phase], top: float, events_top: float, bottom: float) -> list[str]:
    parts: list[str] = []
    for index, phase in enumerate(phases):
        colour = PHASE_COLOURS[index % len(PHASE_COLOURS)]
        y = top + index * PHASE_ROW
        if not phase.start.months or not phase.end.months:
            continue
        # Each boundary is uncertain over the months between the earliest and the latest a source
        # gives: the phase surely runs from the latest start to the earliest end.
        start_lo, start_hi = _month_range(list(phase.start.months))
        end_lo, end_hi = _month_range(list(phase.end.months))
        start_hi -= 1
        end_lo += 1
        solid_from, solid_to = start_hi, end_lo
        words = _phase_words(phase)
        sources = set().union(*phase.start.sources.values(), *phase.end.sources.values())
        group = [svg.title(f"{words}. Sources: {source_names(sorted(sources))}")]
        if solid_to > solid_from:
            x1, x2 = axis.x(solid_from), axis.x(solid_to)
            group.append(svg.element("rect", x=x1, y=y, width=x2 - x1, height=PHASE_ROW - 6, fill=colour, rx=3.0))
            group.append(
                svg.element(
                    "rect",
                    x=x1,
                    y=events_top - 6,
                    width=x2 - x1,
                    height=bottom - events_top + 6,
                    fill=colour,
                    fill_opacity="0.12",
                )
            )
        for lo, hi, boundary in ((start_lo, start_hi, phase.start), (end_lo, end_hi, phase.end)):
            if boundary.agreed or hi <= lo:
                continue
            x1, x2 = axis.x(lo), axis.x(hi)
            group.append(
                svg.element(
                    "rect",
                    x=x1,
                    y=y,
                    width=x2 - x1,
                    height=PHASE_ROW - 6,
                    fill="url(#timeline-disputed)",
                    stroke=colour,
                    stroke_width=1.5,
                    class_="disputed",
                )
            )
        group.append(svg.text(LEFT, y + 13, words, 12, font_weight="bold"))
        parts.append(svg.element("g", group, class_="phase", data_phase=phase.iri))
    return parts


def _event_row(axis: Axis, event: Event, y: float) -> str:
    first, last = span(event.start, event.end)
    precision = event.precision
    x1, x2 = axis.x(first), axis.x(last)
    middle = y + ROW / 2
    when = readable_date(event.start, event.end, precision)
    place = event.place or "place not given in the sources"
    parts = [svg.title(f"{when}: {event.label} — {place}. Sources: {source_names(sorted(event.sources))}")]
    if precision == "day" and x2 - x1 < 7:
        parts.append(svg.element("circle", cx=(x1 + x2) / 2, cy=middle, r=4.0, fill=ACCENT))
        x1, x2 = (x1 + x2) / 2 - 4, (x1 + x2) / 2 + 4
    elif precision == "day":
        parts.append(svg.element("rect", x=x1, y=middle - 4, width=x2 - x1, height=8.0, rx=3.0, fill=ACCENT))
    else:
        parts.append(
            svg.element(
                "rect",
                x=x1,
                y=middle - 4,
                width=x2 - x1,
                height=8.0,
                rx=3.0,
                fill="#ffffff",
                stroke=ACCENT,
                stroke_dasharray="3 2",
                stroke_width=1.2,
            )
        )
    parts.append(svg.text(LEFT, middle + 4, when, 11, fill=svg.MUTED))
    parts.append(svg.text(LABEL_X, middle + 4, svg.truncate(event.label, 70), 11))
    if event.place:
        parts.append(
            svg.text(PLACE_X, middle + 4, svg.truncate(event.place, 30), 11, font_weight="bold", class_="place")
        )
    else:
        parts.append(svg.text(PLACE_X, middle + 4, "not given", 11, fill=svg.MUTED, font_style="italic"))
    return svg.element("g", parts, class_="event", data_event=event.iri)
