"""Shared test set-up: an isolated graph cache, the repository root, and the bundled graph."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["GCMGRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("gcmgraph-cache"))


@pytest.fixture(scope="session")
def bundled():
    from gcmgraph import open_graph

    return open_graph()
