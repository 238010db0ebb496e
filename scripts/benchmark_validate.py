"""Benchmark of ``gcmgraph validate``: the fast engine against the reference (pySHACL and owlrl).

Run on demand (not a test):  .venv/bin/python scripts/benchmark_validate.py [--repeat 3] [--scale 1e5]

Every figure is a whole fresh process (``gcmgraph validate ...``), wall and CPU time (user +
system), median of ``--repeat`` runs (the reference runs once at scale), and each ratio is to a
baseline measured in the same run: ``python -c "import rdflib"`` for the bundled graph, the
reference engine on the same data and shapes for the scaled graph. Both engines' JSON reports are
compared: the findings must be the same.

The scaled graph is K copies of data/ with every resource renamed apart and still matching the
shapes' IRI patterns (``event/x`` becomes ``event/x-c2``; the 193 three-letter state codes of copy k
are new three-letter codes), and every English label told apart, so that each copy is checked like
the original, by the same shapes and checks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/gcmgraph/id/"


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds, stdout) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done.stdout


def median_run(args: list[str], env: dict[str, str], repeat: int) -> tuple[float, float, bytes]:
    runs = [run(args, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[-1][2]


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _renamed(term: Term, copy: int, codes: dict[str, str]) -> Term:
    """``term`` in copy number ``copy`` (copy 0 is data/ itself)."""
    if not copy or not isinstance(term, ox.NamedNode) or not term.value.startswith(ID):
        return term
    kind, _, slug = term.value[len(ID) :].partition("/")
    return ox.NamedNode(f"{ID}{kind}/{codes[slug] if kind == 'state' else f'{slug}-c{copy}'}")


def scaled_data(copies: int, folder: Path) -> int:
    """Write ``copies`` renamed copies of data/ into ``folder``; return the number of triples."""
    files = {path: list(ox.parse(path=path, format=ox.RdfFormat.TURTLE)) for path in sorted(ROOT.glob("data/*.ttl"))}
    states = sorted(
        {
            t.value[len(ID + "state/") :]
            for ts in files.values()
            for x in ts
            for t in (x.subject, x.object)
            if isinstance(t, ox.NamedNode) and t.value.startswith(ID + "state/")
        }
    )
    # Copy k > 0 gives its states three-letter codes that no state of data/ or of another copy has.
    letters = "abcdefghijklmnopqrstuvwxyz"
    spare = [code for code in (a + b + c for a in letters for b in letters for c in letters) if code not in states]
    total = 0
    for copy in range(copies):
        codes = dict(zip(states, spare[(copy - 1) * len(states) :], strict=False)) if copy else {}
        for path, parsed in files.items():
            triples = []
            for t in parsed:
                obj = _renamed(t.object, copy, codes)
                if (
                    copy
                    and isinstance(obj, ox.Literal)
                    and obj.language == "en"
                    and t.predicate.value.endswith("label")
                ):
                    obj = ox.Literal(f"{obj.value} ({copy})", language="en")  # no two resources with one label
                triples.append(ox.Triple(_renamed(t.subject, copy, codes), t.predicate, obj))
            total += len(triples)
            (folder / f"{path.stem}-{copy}.ttl").write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    return total


def findings(report: bytes) -> list[dict[str, object]]:
    return json.loads(report)["findings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", default="1e5", help="triples in the scaled graph, or 0 to skip it")
    args = parser.parse_args()
    env = {**os.environ, "GCMGRAPH_CACHE": "0"}
    # No time limit: the reference takes many minutes at scale, past validate's default of 600 s.
    gcmgraph = [sys.executable, "-m", "gcmgraph", "validate", "-f", "json", "--timeout", "86400"]

    base_wall, base_cpu, _ = median_run([sys.executable, "-c", "import rdflib"], env, args.repeat)
    print(f"Bundled graph, fresh process, median of {args.repeat}; ratio to python -c 'import rdflib'")
    print(f"   {'':56} {'wall':>8} {'cpu':>8} {'ratio':>7}")
    print(f"   {'python -c import rdflib':56} {base_wall:7.2f}s {base_cpu:7.2f}s {1:6.2f}x")
    for inference in ("none", "owlrl"):
        fast = median_run([*gcmgraph, "--inference", inference], env, args.repeat)
        reference = median_run([*gcmgraph, "--inference", inference, "--engine", "pyshacl"], env, 1)
        same = findings(fast[2]) == findings(reference[2])
        for name, (wall, cpu, _) in (("fast", fast), ("pyshacl (reference)", reference)):
            label = f"validate --inference {inference} --engine {name}"
            print(f"   {label:56} {wall:7.2f}s {cpu:7.2f}s {wall / base_wall:6.2f}x")
        print(f"   same findings: {same} ({len(findings(fast[2]))})")

    triples = float(args.scale)
    if triples:
        with tempfile.TemporaryDirectory(prefix="gcmgraph-scale-") as folder:
            per_copy = scaled_data(1, Path(folder))
            for stale in Path(folder).iterdir():
                stale.unlink()
            copies = max(1, round(triples / per_copy))
            size = scaled_data(copies, Path(folder))
            print(f"\nScaled graph: {copies} renamed copies of data/, {size} triples (plus the ontology)")
            print(f"   {'':56} {'wall':>8} {'cpu':>8} {'faster':>7}")
            for inference in ("none", "owlrl"):
                command = [*gcmgraph, folder, "--inference", inference]
                fast = median_run(command, env, args.repeat)
                reference = run([*command, "--engine", "pyshacl"], env)
                same = findings(fast[2]) == findings(reference[2])
                for label, (wall, cpu, _) in (("--engine pyshacl (reference)", reference), ("--engine fast", fast)):
                    label = f"validate --inference {inference} {label}"
                    print(f"   {label:56} {wall:7.1f}s {cpu:7.1f}s {reference[0] / wall:6.1f}x")
                print(f"   same findings: {same} ({len(findings(fast[2]))})")


if __name__ == "__main__":
    main()
