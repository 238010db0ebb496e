"""Benchmark: what ``gcmgraph serve`` costs per query, against Oxigraph's own server.

Run on demand (not a test):  .venv/bin/python scripts/benchmark_serve.py [--repeat 30]

Starts, on 127.0.0.1, ``gcmgraph serve`` and ``oxigraph serve-read-only`` over the same store
(the bundled graph, default graph the union), sends each the same queries one after another over
HTTP (results as SPARQL JSON) and prints the median wall time per query and their ratio. Also
times ``/api/thematic-sessions`` (the stored query, bound and rendered by gcmgraph).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from servers import oxigraph_binary, running_serve  # noqa: E402

from gcmgraph.queries import find_query  # noqa: E402
from gcmgraph.store import open_graph  # noqa: E402

QUERIES = {
    "ASK {}": "ASK {}",
    "thematic-sessions (text)": find_query("thematic-sessions").text,
    "all triples (1.8 MB of JSON)": "SELECT * WHERE { ?s ?p ?o }",
}


def _elapsed(url: str) -> float:
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
    return time.perf_counter() - start


def median_ms(urls: list[str], repeat: int) -> list[float]:
    """Median milliseconds per URL; the URLs take turns, so both servers see the same machine load."""
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(repeat):
        for index, url in enumerate(urls):
            times[index].append(_elapsed(url))
    return [statistics.median(t) * 1000 for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as folder:
        store = ox.Store(str(Path(folder) / "store"))
        store.bulk_extend(open_graph().quads())
        store.flush()
        del store
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        oxigraph = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve-read-only",
                "--location",
                str(Path(folder) / "store"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with running_serve("--max-bytes", "100000000") as served:
                median_ms([f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"], 1)  # both answer by now
                print(f"median of {repeat} sequential requests, ms")
                print(f"{'query':32} {'oxigraph':>9} {'gcmgraph':>9} {'ratio':>6}")
                for name, text in QUERIES.items():
                    encoded = urllib.parse.urlencode({"query": text})
                    theirs, ours = median_ms(
                        [f"http://127.0.0.1:{port}/query?{encoded}", f"{served.query_url}?{encoded}"], repeat
                    )
                    print(f"{name:32} {theirs:9.1f} {ours:9.1f} {ours / theirs:6.2f}")
                [api] = median_ms([f"{served.base}/api/thematic-sessions"], repeat)
                print(f"{'/api/thematic-sessions':32} {'':>9} {api:9.1f}")
        finally:
            oxigraph.terminate()
            oxigraph.wait(timeout=30)


if __name__ == "__main__":
    main()
