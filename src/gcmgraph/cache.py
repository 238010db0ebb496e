"""A cache of built graphs (asserted, and with the OWL RL closure) keyed on the source files'
content, so a repeated command on unchanged files does not parse Turtle or run the reasoner again.

Entries are N-Quads files under ``$GCMGRAPH_CACHE_DIR`` (default: the user cache folder),
written atomically. ``GCMGRAPH_CACHE=0`` turns the cache off. A cache that cannot be written is
skipped, never an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

FORMAT_VERSION = "1"


def cache_dir() -> Path | None:
    if os.environ.get("GCMGRAPH_CACHE", "1") == "0":
        return None
    explicit = os.environ.get("GCMGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gcmgraph"


def cache_key(kind: str, parts: Iterable[tuple[str, str]]) -> str:
    """A key from the kind of graph and (name, content digest) of each input."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{kind}".encode())
    for name, content_digest in parts:
        digest.update(f"\0{name}\0{content_digest}".encode())
    return digest.hexdigest()


def cached_quads(key: str, build: Callable[[], list[ox.Quad]]) -> list[ox.Quad]:
    """The quads stored under ``key``, or ``build()``'s, stored for next time."""
    folder = cache_dir()
    entry = folder / f"{key}.nq" if folder else None
    if entry is not None and entry.is_file():
        try:
            return list(ox.parse(path=entry, format=ox.RdfFormat.N_QUADS))
        except (OSError, SyntaxError):
            pass  # a damaged entry is rebuilt below
    quads = build()
    if entry is not None:
        temp: str | None = None
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=entry.parent, suffix=".tmp", delete=False) as out:
                temp = out.name
                ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
            os.replace(temp, entry)
        except OSError:
            if temp is not None:
                Path(temp).unlink(missing_ok=True)
    return quads
