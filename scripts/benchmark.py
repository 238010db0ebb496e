"""Benchmark: where the time of ``gcmgraph query`` goes, and how the engines compare.

Run on demand (not a test):  .venv/bin/python scripts/benchmark.py [--repeat 5] [--query NAME]
                             .venv/bin/python scripts/benchmark.py --scale 1e5,1e6 [--repeat 3]

Reports, for the bundled data, median wall times of
  1. the whole command in a fresh process (``gcmgraph query NAME -f json``), cold (no cache) and warm,
     against ``python -c "import rdflib"``;
  2. its parts inside one process: importing gcmgraph, building the graph (parse or cache), querying;
  3. every stored query on pyoxigraph, on rdflib's in-memory engine and on rdflib over the
     oxrdflib store, as ratios to pyoxigraph measured in the same run;
  4. validating the whole bundled graph, with and without OWL RL inference.

With ``--scale``, for each size it builds the graph in the project's own vocabulary (K renamed
copies of data/, so IRIs do not merge and the stored queries stay meaningful) and reports, in one
run, whole-process wall time and peak memory (each process's own, from wait4) of stored queries
through gcmgraph (first call on a cold cache, repeated calls) against raw pyoxigraph in memory,
raw pyoxigraph bulk load + query on disk, raw pyoxigraph on that on-disk store opened read-only,
and rdflib in memory, as ratios; and ``export -f nq`` against pyoxigraph dumping the on-disk store.
``SCALE_WORKLOADS`` is the table of what is measured: add rows there (validate has its own
benchmark, scripts/benchmark_validate.py).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
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


def installed_env(folder: Path) -> dict[str, str]:
    """The environment for measured processes: Python's compiled bytecode kept (in ``folder``),
    as in an installed package, even where PYTHONDONTWRITEBYTECODE is set (every run would
    otherwise compile gcmgraph's modules again)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    subprocess.run([sys.executable, "-c", "import gcmgraph.cli, gcmgraph.store, rdflib"], env=env, check=True)
    return env


def command_time(args: list[str], env: dict[str, str], repeat: int) -> float:
    return median_time(lambda: subprocess.run(args, env=env, check=True, capture_output=True), repeat)


def _consume(answer: object) -> object:
    """Read a whole pyoxigraph answer: an iterator of rows or triples, or a boolean."""
    return bool(answer) if isinstance(answer, ox.QueryBoolean) else list(answer)


def _cell(seconds: float | None, base: float) -> str:
    """Milliseconds and ratio to ``base``, or a note when the engine gave up or is not installed."""
    if seconds is None:
        return f"{'-':>9} {'-':>6}"
    if not math.isfinite(seconds):
        return f"{'>20 s':>9} {'-':>6}"
    return f"{seconds * 1000:9.2f} {seconds / base:5.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--query", default="thematic-sessions")
    parser.add_argument("--skip-validate", action="store_true")
    parser.add_argument("--scale", default=None, help="Triple counts, e.g. 1e5,1e6: run the scale benchmark only.")
    parser.add_argument("--queries", default="thematic-sessions,class-counts", help="Stored queries for --scale.")
    parser.add_argument("--rdflib-max", type=float, default=2e5, help="Largest scale rdflib is run on (it is slow).")
    parser.add_argument("--cap", type=float, default=900, help="Seconds after which one process is given up.")
    args = parser.parse_args()
    if args.scale:
        scale_main(args)
        return

    cache = tempfile.mkdtemp(prefix="gcmgraph-bench-")
    env = {**installed_env(Path(cache)), "GCMGRAPH_CACHE_DIR": cache}
    cli = [sys.executable, "-m", "gcmgraph", "query", args.query, "-f", "json"]
    baseline = command_time([sys.executable, "-c", "pass"], env, args.repeat)
    rdflib_import = command_time([sys.executable, "-c", "import rdflib"], env, args.repeat)
    cold = command_time(cli, {**env, "GCMGRAPH_CACHE": "0"}, args.repeat)
    subprocess.run(cli, env=env, check=True, capture_output=True)  # builds the store once
    warm = command_time(cli, env, args.repeat)
    print(f"1. gcmgraph query {args.query} (fresh process, median of {args.repeat}; ratio to import rdflib)")
    print(f"   python startup alone      {baseline * 1000:8.1f} ms   {baseline / rdflib_import:5.2f}x")
    print(f"   python -c 'import rdflib' {rdflib_import * 1000:8.1f} ms   1.00x")
    print(f"   query, cache off (parse)  {cold * 1000:8.1f} ms   {cold / rdflib_import:5.2f}x")
    print(f"   query, cache warm (store) {warm * 1000:8.1f} ms   {warm / rdflib_import:5.2f}x")

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
    try:  # rdflib over Oxigraph, when the oxrdflib plugin is installed (pip install oxrdflib)
        oxstore: rdflib.Dataset | None = rdflib.Dataset(store="Oxigraph")
    except rdflib.plugin.PluginException:
        oxstore = None
    if oxstore is not None:
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
        t_oxrdflib = (
            median_time(lambda text=text: list(oxstore.query(text)), args.repeat, cap_s=20) if oxstore else None
        )
        ratios_raw.append(t_raw / t_ox)
        ratios_rdflib.append(t_rdflib / t_ox)
        if t_oxrdflib is not None:
            ratios_ox.append(t_oxrdflib / t_ox)

        cells = " ".join(f"{_cell(t, t_ox):>16}" for t in (t_raw, t_rdflib, t_oxrdflib))
        print(f"   {stored.name:28} {t_ox * 1000:9.2f} {cells}")
    print(
        f"   median ratio to gcmgraph: raw pyoxigraph {statistics.median(ratios_raw):.2f}x, "
        f"rdflib {statistics.median(ratios_rdflib):.1f}x, "
        + (f"oxrdflib {statistics.median(ratios_ox):.2f}x " if ratios_ox else "oxrdflib not installed ")
        + f"(rdflib over 20 s on {sum(not math.isfinite(r) for r in ratios_rdflib)} queries)"
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


# -- the scale benchmark ---------------------------------------------------------------------------

DATA_IDS = "https://w3id.org/gcmgraph/id/"


def scaled_graph(folder: Path, triples: float) -> tuple[int, int]:
    """Write K renamed copies of data/ (one Turtle file per copy) holding at least ``triples``
    triples; return (K, triples written). Copy 0 keeps the bundled IRIs, so parameters still match."""
    sources = sorted((ROOT / "data").glob("*.ttl"))
    per_copy = sum(1 for path in sources for _ in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    copies = max(1, math.ceil(triples / per_copy))
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        copy = text if n == 0 else text.replace(DATA_IDS, f"{DATA_IDS}copy{n}/")
        (folder / f"copy-{n:04d}.ttl").write_text(copy, encoding="utf-8")
    return copies, copies * per_copy


# Raw baselines: the same files as gcmgraph reads (the ontology and the copies, listed one per line
# in the file argv[1] names), one named graph each, the same query text, results as JSON.
_RAW_MEMORY = """
import sys, pathlib, pyoxigraph as ox
store = ox.Store()
for path in map(pathlib.Path, open(sys.argv[1]).read().split()):
    store.load(path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
store.query(open(sys.argv[2]).read(), use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
"""
_RAW_BULK = """
import sys, pathlib, pyoxigraph as ox
store = ox.Store(sys.argv[3])
for path in map(pathlib.Path, open(sys.argv[1]).read().split()):
    store.bulk_load(path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
store.flush()
store.query(open(sys.argv[2]).read(), use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
"""
_RAW_READ_ONLY = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[3])
store.query(open(sys.argv[2]).read(), use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
"""
_RAW_DUMP = """
import sys, pyoxigraph as ox
ox.Store.read_only(sys.argv[1]).dump(sys.stdout.buffer, format=ox.RdfFormat.N_QUADS)
"""
_RDFLIB = """
import sys, pathlib, rdflib
dataset = rdflib.Dataset(default_union=True)
for path in map(pathlib.Path, open(sys.argv[1]).read().split()):
    dataset.graph(rdflib.URIRef(path.as_uri())).parse(path, format="turtle")
list(dataset.query(open(sys.argv[2]).read()))
"""


@dataclass(frozen=True)
class Run:
    """One process: wall seconds and its own peak resident memory (None when it failed or was capped)."""

    seconds: float | None
    peak: int | None
    note: str = ""


def measure(argv: list[str], env: dict[str, str], cap: float) -> Run:
    """Run one process to the end; its wall time and peak memory come from wait4."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        timer = threading.Timer(cap, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            errors.seek(0)
            reason = "capped" if elapsed >= cap else errors.read().decode(errors="replace").strip()[-200:]
            return Run(None, None, f"failed ({reason})")
    return Run(elapsed, usage.ru_maxrss * 1024)


def median_run(runs: list[Run]) -> Run:
    done = [r for r in runs if r.seconds is not None]
    if not done:
        return runs[0]
    return Run(statistics.median(r.seconds for r in done), max(r.peak or 0 for r in done))


@dataclass(frozen=True)
class Context:
    """What a workload needs: the scaled data (and the list of files it and the ontology make), the
    query file, a fresh cache and store folder."""

    data: Path
    files: Path
    query_name: str
    query_file: Path
    cache: Path
    raw_store: Path


@dataclass(frozen=True)
class Workload:
    """One row of the scale table: how to run it, and how often (``first`` runs once, on a cold
    cache or store; the others are repeated and their median taken; ``whole`` rows do not depend
    on the query and run with the first one only)."""

    name: str
    argv: Callable[[Context], list[str]]
    first: bool = False
    rdflib: bool = False
    whole: bool = False


PY = sys.executable


def _gcmgraph_query(c: Context) -> list[str]:
    return [PY, "-m", "gcmgraph", "query", c.query_name, "--data", str(c.data), "-f", "json", "--timeout", "86400"]


SCALE_WORKLOADS: list[Workload] = [
    Workload(
        "gcmgraph query, first call (cold cache)",
        _gcmgraph_query,
        first=True,
    ),
    Workload(
        "gcmgraph query, repeated",
        _gcmgraph_query,
    ),
    Workload(
        "raw pyoxigraph bulk load + query (disk)",
        lambda c: [PY, "-c", _RAW_BULK, str(c.files), str(c.query_file), str(c.raw_store)],
        first=True,
    ),
    Workload(
        "raw pyoxigraph on-disk store, read-only",
        lambda c: [PY, "-c", _RAW_READ_ONLY, str(c.files), str(c.query_file), str(c.raw_store)],
    ),
    Workload(
        "raw pyoxigraph in memory (load + query)", lambda c: [PY, "-c", _RAW_MEMORY, str(c.files), str(c.query_file)]
    ),
    Workload(
        "rdflib in memory (parse + query)", lambda c: [PY, "-c", _RDFLIB, str(c.files), str(c.query_file)], rdflib=True
    ),
    Workload(
        "gcmgraph export -f nq (warm cache)",
        lambda c: [PY, "-m", "gcmgraph", "export", "-f", "nq", "--data", str(c.data), "--timeout", "86400"],
        whole=True,
    ),
    Workload(
        "raw pyoxigraph on-disk store, dump N-Quads", lambda c: [PY, "-c", _RAW_DUMP, str(c.raw_store)], whole=True
    ),
]

#: (row, reference row, target) ratios printed under each table: row / reference.
SCALE_RATIOS = [
    ("gcmgraph query, repeated", "raw pyoxigraph on-disk store, read-only", "time <= 1.5x, memory <= 2x at 1e6"),
    ("gcmgraph query, first call (cold cache)", "raw pyoxigraph bulk load + query (disk)", "time <= 1.3x at 1e6"),
    ("gcmgraph query, repeated", "raw pyoxigraph in memory (load + query)", ""),
    ("rdflib in memory (parse + query)", "gcmgraph query, repeated", "rdflib >= 20x slower at 1e5"),
    ("gcmgraph export -f nq (warm cache)", "raw pyoxigraph on-disk store, dump N-Quads", "time <= 3x at 1e6"),
]


def _mib(count: int | None) -> str:
    return f"{count / 1024**2:8.0f}" if count else f"{'-':>8}"


def scale_main(args: argparse.Namespace) -> None:
    from gcmgraph.queries import bind, find_query

    scales = [float(s) for s in args.scale.split(",")]
    names = [n.strip() for n in args.queries.split(",") if n.strip()]
    work = Path(tempfile.mkdtemp(prefix="gcmgraph-scale-"))
    env = installed_env(work)
    print(
        f"scale benchmark (load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"repeated rows: median of {args.repeat})"
    )
    try:
        for scale in scales:
            copies, triples = scaled_graph(work / f"data-{scale:g}", scale)
            print(f"\n{triples:,} data triples ({copies} renamed copies of data/) + the ontology")
            cache, raw_store = work / f"cache-{scale:g}", work / f"raw-{scale:g}"  # built by the first query
            files = work / f"files-{scale:g}.txt"
            listed = [ROOT / "ontology" / "gcm.ttl", *sorted((work / f"data-{scale:g}").glob("*.ttl"))]
            files.write_text("\n".join(map(str, listed)), encoding="utf-8")
            for index, name in enumerate(names):
                query_file = work / f"{name}.rq"
                query_file.write_text(bind(find_query(name), {}), encoding="utf-8")
                results: dict[str, Run] = {}
                context = Context(work / f"data-{scale:g}", files, name, query_file, cache, raw_store)
                run_env = {**env, "GCMGRAPH_CACHE_DIR": str(cache)}
                chosen = [
                    w
                    for w in SCALE_WORKLOADS
                    if not (w.rdflib and scale > args.rdflib_max) and not ((w.first or w.whole) and index)
                ]
                for workload in (w for w in chosen if w.first):  # builds the stores the others read
                    results[workload.name] = measure(workload.argv(context), run_env, args.cap)
                # Repeated rows run in turns (one of each, then again), so a change in the machine's
                # load falls on all of them alike; slow in-memory baselines at 1e6 run once.
                rounds: dict[str, list[Run]] = {w.name: [] for w in chosen if not w.first}
                for turn in range(args.repeat):
                    for workload in (w for w in chosen if not w.first):
                        if turn and scale >= 1e6 and ("memory" in workload.name):
                            continue
                        rounds[workload.name].append(measure(workload.argv(context), run_env, args.cap))
                results.update({name_: median_run(runs) for name_, runs in rounds.items()})
                print(f"  query {name}")
                print(f"    {'':44} {'seconds':>9} {'peak MiB':>8}")
                for label, found in results.items():
                    shown = f"{found.seconds:9.2f}" if found.seconds is not None else f"{'-':>9}"
                    print(f"    {label:44} {shown} {_mib(found.peak)} {found.note}")
                for row, reference, target in SCALE_RATIOS:
                    a, b = results.get(row), results.get(reference)
                    if not a or not b or a.seconds is None or b.seconds is None:
                        continue
                    memory = f", memory {a.peak / b.peak:.2f}x" if a.peak and b.peak else ""
                    goal = f"   (target: {target})" if target else ""
                    print(f"    {row} / {reference}: time {a.seconds / b.seconds:.2f}x{memory}{goal}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n(load average at end {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
