"""Benchmark: where the time of ``gcmgraph query`` goes, and how the engines compare.

Run on demand (not a test):  .venv/bin/python scripts/benchmark.py [--repeat 5] [--query NAME]

Reports, for the bundled data, median wall times of
  1. the whole command in a fresh process (``gcmgraph query NAME -f json``), cold (no cache) and warm;
  2. its parts inside one process: importing gcmgraph, building the graph (parse or cache), querying;
  3. every stored query on pyoxigraph, on rdflib's in-memory engine and on rdflib over the
     oxrdflib store, as ratios to pyoxigraph measured in the same run;
  4. validating the whole bundled graph, with and without OWL RL inference.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]


class _TooSlow(Exception):
    pass


def median_time(work: Callable[[], object], repeat: int, cap_s: int | None = None) -> float:
    """Median wall time of ``work``; with ``cap_s``, gives up (returns inf) after that many seconds."""

    def alarm(*_: object) -> None:
        raise _TooSlow

    times = []
    for _ in range(repeat):
        if cap_s:
            signal.signal(signal.SIGALRM, alarm)
            signal.alarm(cap_s)
        start = time.perf_counter()
        try:
            work()
        except _TooSlow:
            return float("inf")
        finally:
            if cap_s:
                signal.alarm(0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command_time(args: list[str], env: dict[str, str], repeat: int) -> float:
    return median_time(lambda: subprocess.run(args, env=env, check=True, capture_output=True), repeat)


def _consume(answer: object) -> object:
    """Read a whole pyoxigraph answer: an iterator of rows or triples, or a boolean."""
    return bool(answer) if isinstance(answer, ox.QueryBoolean) else list(answer)


def _cell(seconds: float, base: float) -> str:
    """Milliseconds and ratio to ``base``, or a note when the engine gave up."""
    if not math.isfinite(seconds):
        return f"{'>20 s':>9} {'-':>6}"
    return f"{seconds * 1000:9.2f} {seconds / base:5.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--query", default="thematic-sessions")
    parser.add_argument("--skip-validate", action="store_true")
    args = parser.parse_args()

    cache = tempfile.mkdtemp(prefix="gcmgraph-bench-")
    env = {**os.environ, "GCMGRAPH_CACHE_DIR": cache}
    cli = [sys.executable, "-m", "gcmgraph", "query", args.query, "-f", "json"]
    baseline = command_time([sys.executable, "-c", "pass"], env, args.repeat)
    cold = command_time(cli, {**env, "GCMGRAPH_CACHE": "0"}, args.repeat)
    warm = command_time(cli, env, args.repeat)
    print(f"1. gcmgraph query {args.query} (fresh process, median of {args.repeat})")
    print(f"   python startup alone      {baseline * 1000:8.1f} ms   1.00x")
    print(f"   query, cache off (parse)  {cold * 1000:8.1f} ms   {cold / baseline:5.2f}x")
    print(f"   query, cache warm         {warm * 1000:8.1f} ms   {warm / baseline:5.2f}x")

    start = time.perf_counter()
    import gcmgraph
    from gcmgraph.loader import resolve_sources
    from gcmgraph.queries import bind, catalogue, find_query
    from gcmgraph.store import LocalGraph

    imported = time.perf_counter() - start
    os.environ["GCMGRAPH_CACHE_DIR"] = cache
    sources = resolve_sources()
    parse = median_time(lambda: LocalGraph(sources, use_cache=False), args.repeat)
    cached = median_time(lambda: LocalGraph(sources), args.repeat)
    graph = LocalGraph(sources)
    stored = find_query(args.query)
    text = bind(stored, {})
    query = median_time(lambda: graph.query(text), args.repeat)
    total = imported + cached + query
    print(f"\n2. inside one process ({len(graph.store)} quads, {len(sources)} files)")
    print(f"   import gcmgraph + modules {imported * 1000:8.1f} ms   {imported / total:5.1%}")
    print(f"   build graph from cache    {cached * 1000:8.1f} ms   {cached / total:5.1%}")
    print(f"   (build by parsing Turtle  {parse * 1000:8.1f} ms)")
    print(f"   run the query             {query * 1000:8.1f} ms   {query / total:5.1%}")
    print(f"   pyshacl imported: {'pyshacl' in sys.modules}; owlrl imported: {'owlrl' in sys.modules}")

    import rdflib

    from gcmgraph.bridge import dataset_of

    memory = dataset_of(graph.quads())
    memory.default_union = True
    oxstore = rdflib.Dataset(store="Oxigraph")
    oxstore.default_union = True
    for quad in memory.quads((None, None, None, None)):
        oxstore.add(quad)
    print("\n3. every stored query: median ms, and ratio to gcmgraph's run (pyoxigraph + binding + JSON)")
    print(f"   {'query':28} {'gcmgraph':>9} {'raw pyoxigraph':>16} {'rdflib':>17} {'oxrdflib':>16}")
    ratios_rdflib, ratios_ox, ratios_raw = [], [], []
    for stored in catalogue():
        params = {p.name: [p.example] for p in stored.parameters if p.required and not p.default and p.example}
        text = bind(stored, params)
        t_ox = median_time(lambda text=text: graph.query(text), args.repeat)
        t_raw = median_time(
            lambda text=text: _consume(graph.store.query(text, use_default_graph_as_union=True)), args.repeat
        )
        t_rdflib = median_time(lambda text=text: list(memory.query(text)), args.repeat, cap_s=20)
        t_oxrdflib = median_time(lambda text=text: list(oxstore.query(text)), args.repeat, cap_s=20)
        ratios_raw.append(t_raw / t_ox)
        ratios_rdflib.append(t_rdflib / t_ox)
        ratios_ox.append(t_oxrdflib / t_ox)

        cells = " ".join(f"{_cell(t, t_ox):>16}" for t in (t_raw, t_rdflib, t_oxrdflib))
        print(f"   {stored.name:28} {t_ox * 1000:9.2f} {cells}")
    print(
        f"   median ratio to gcmgraph: raw pyoxigraph {statistics.median(ratios_raw):.2f}x, "
        f"rdflib {statistics.median(ratios_rdflib):.1f}x, oxrdflib {statistics.median(ratios_ox):.2f}x "
        f"(rdflib over 20 s on {sum(not math.isfinite(r) for r in ratios_rdflib)} queries)"
    )

    if not args.skip_validate:
        from gcmgraph.validation import validate

        validate()  # warm the cache: the consistency check reuses the OWL RL closure of query --inferred
        plain = median_time(lambda: validate(), 1)
        inferred = median_time(lambda: validate(inference="owlrl"), 1)
        print("\n4. gcmgraph validate on the bundled graph (warm cache)")
        print(f"   --inference none          {plain:8.2f} s   1.00x")
        print(f"   --inference owlrl         {inferred:8.2f} s   {inferred / plain:5.2f}x")
    print(f"\n(gcmgraph {gcmgraph.__version__}, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
