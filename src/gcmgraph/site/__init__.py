"""The static site of the graph (``gcmgraph docs``): see :func:`build_site`."""

from __future__ import annotations

from .build import PICTURES, SiteReport, build_site

__all__ = ["PICTURES", "SiteReport", "build_site"]
