"""A tiny SVG writer: escaped text, fixed number formatting, no ids or dates made up at run time.

Every picture is built from these helpers so that the same rows always give the same bytes and no
picture refers to anything outside itself (no scripts, fonts, images or style sheets from a host).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
CHAR_WIDTH = 0.56  # average advance of a sans-serif character, in font sizes


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (stable across platforms)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(values: Mapping[str, object]) -> str:
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {key.rstrip("_").replace("_", "-")}="{escape(text, quote=True)}"')
    return "".join(parts)


def element(tag: str, children: Iterable[str] | str = (), **values: object) -> str:
    """``<tag a="v">children</tag>``; children are already-escaped SVG strings."""
    body = children if isinstance(children, str) else "".join(children)
    if not body:
        return f"<{tag}{attrs(values)}/>"
    return f"<{tag}{attrs(values)}>{body}</{tag}>"


def text(x: float, y: float, content: str, size: float = 12, **values: object) -> str:
    """A text element; ``content`` is plain text and is escaped here."""
    return element("text", escape(content, quote=False), x=float(x), y=float(y), font_size=float(size), **values)


def footnote(x: float, y: float, content: str) -> str:
    """The small grey line under a picture that names the stored queries it was drawn from."""
    return text(x, y, content, 11, fill=MUTED)


def title(content: str) -> str:
    """A ``<title>``: the tooltip and the accessible name of the element that holds it."""
    return f"<title>{escape(content, quote=False)}</title>"


def text_width(content: str, size: float = 12) -> float:
    """An estimate of the width of ``content`` in a sans-serif font, for layout."""
    return len(content) * size * CHAR_WIDTH


def wrap(content: str, width: float, size: float = 12) -> list[str]:
    """``content`` broken into lines that fit ``width`` (by the same estimate)."""
    limit = max(4, int(width / (size * CHAR_WIDTH)))
    lines: list[str] = []
    line = ""
    for word in content.split():
        candidate = f"{line} {word}".strip()
        if len(candidate) <= limit or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def truncate(content: str, limit: int) -> str:
    return content if len(content) <= limit else content[: limit - 1].rstrip() + "…"


def document(width: float, height: float, heading: str, description: str, body: Iterable[str]) -> str:
    """A standalone SVG document with a ``<title>``, a ``<desc>`` and a white background."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" font-family="{escape(FONT, quote=True)}" '
        f'fill="{INK}">'
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        head,
        title(heading),
        f"<desc>{escape(description, quote=False)}</desc>",
        element("rect", x=0.0, y=0.0, width=float(width), height=float(height), fill="#ffffff"),
        *body,
        "</svg>\n",
    ]
    return "".join(parts)
