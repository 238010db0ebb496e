"""The cache cannot lie: a damaged entry (truncated, emptied, deleted, edited in place) is rebuilt
and reported, never read; it stays within its size, oldest entries first; ``cache info`` and
``cache clear`` show and remove gcmgraph's own entries and nothing else."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from gcmgraph import cache, loader
from gcmgraph.cli import main
from gcmgraph.loader import read_source
from gcmgraph.store import open_graph

EVENTS = str(ROOT / "data" / "events.ttl")
# data/events.ttl types the six thematic sessions of 2017 as gcm:ThematicSession.
SESSIONS_QUERY = (
    "#+ summary: thematic sessions\nPREFIX gcm: <https://w3id.org/gcmgraph/ontology#>\n"
    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a gcm:ThematicSession }\n"
)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GCMGRAPH_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.rq"
    path.write_text(SESSIONS_QUERY)
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def count_sessions(query: Path, *data: str):
    result = run("query", str(query), "--data", *(data or (EVENTS,)), "-f", "json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"]), result.stderr


def only_entry(cache: Path) -> Path:
    [entry] = (cache / "stores").iterdir()
    return entry


def _tables(entry: Path) -> list[Path]:
    return sorted((entry / "data").glob("*.sst"), key=lambda p: p.stat().st_size)


def truncate_largest_table(entry: Path) -> None:
    largest = _tables(entry)[-1]
    largest.write_bytes(largest.read_bytes()[: largest.stat().st_size // 2])


def empty_manifest(entry: Path) -> None:
    (entry / "MANIFEST").write_bytes(b"")


def truncate_manifest(entry: Path) -> None:
    manifest = entry / "MANIFEST"
    manifest.write_bytes(manifest.read_bytes()[:-5])


def delete_a_table(entry: Path) -> None:
    _tables(entry)[-1].unlink()


def edit_options_in_place(entry: Path) -> None:
    [options] = (entry / "data").glob("OPTIONS-*")
    content = bytearray(options.read_bytes())
    content[10] ^= 0x01
    options.write_bytes(bytes(content))


def flip_bytes_in_every_table(entry: Path) -> None:
    """Same sizes, same small files: only the store's own checksums can tell."""
    for table in _tables(entry):
        content = bytearray(table.read_bytes())
        for at in range(100, len(content) // 2, 97):
            content[at] ^= 0xFF
        table.write_bytes(bytes(content))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated table file": (truncate_largest_table, r"file \d+\.sst has \d+ bytes, the manifest says \d+"),
    "emptied manifest": (empty_manifest, "its manifest is missing or damaged"),
    "truncated manifest": (truncate_manifest, "its manifest is missing or damaged"),
    "deleted table file": (delete_a_table, r"file \d+\.sst is missing"),
    "edited small file": (edit_options_in_place, "its files differ from the manifest"),
    "flipped bytes in the tables": (flip_bytes_in_every_table, "its files differ from the manifest"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_rebuilt_and_reported(cache_dir: Path, sessions: Path, damage: str) -> None:
    import re

    assert count_sessions(sessions) == (6, "")
    entry = only_entry(cache_dir)
    harm, reason = DAMAGE[damage]
    harm(entry)
    found, stderr = count_sessions(sessions)
    assert found == 6
    assert re.fullmatch(
        rf"warning: cache entry {entry.name[:12]} for 2 file\(s\) was damaged \({reason}\); rebuilt\n", stderr
    ), stderr
    assert count_sessions(sessions) == (6, "")  # the rebuilt entry is whole


def test_checked_files_detect_truncation_and_edits(tmp_path: Path) -> None:
    path = tmp_path / "checked"
    cache.write_checked(path, b'{"a": 1}')
    assert cache.read_checked(path) == b'{"a": 1}'
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])
    assert cache.read_checked(path) is None
    path.write_bytes(whole.replace(b"1}", b"2}"))
    assert cache.read_checked(path) is None
    path.write_bytes(b"")
    assert cache.read_checked(path) is None
    assert [p.name for p in tmp_path.iterdir()] == ["checked"]  # no temporary file left


def test_a_writer_killed_mid_write_leaves_nothing_the_next_write_keeps(tmp_path: Path) -> None:
    target = tmp_path / "digests"
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from gcmgraph import cache\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), 9)  # dies after writing, before the rename\n"
        f"cache.write_checked(Path({str(target)!r}), b'x' * 100000)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    [left] = list(tmp_path.iterdir())
    assert left.name.startswith(".digests.") and left.name.endswith(".tmp") and not target.exists()
    cache.write_checked(target, b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["digests"] and cache.read_checked(target) == b"{}"


def _build(cache_dir: Path, tmp_path: Path, name: str) -> object:
    path = tmp_path / f"{name}.ttl"
    path.write_text(f'<https://e.org/{name}> <https://e.org/p> "{name}" .\n')
    return open_graph([path])


def test_the_cache_keeps_within_its_size_oldest_entries_first(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _build(cache_dir, tmp_path, "a")
    second = _build(cache_dir, tmp_path, "b")
    del first, second  # no longer in use
    sizes = {e.key: e.size for e in cache.info().entries}
    assert len(sizes) == 2
    # Room for about two and a half entries (their sizes differ by a few bytes of RocksDB's log).
    monkeypatch.setenv("GCMGRAPH_CACHE_SIZE", str(int(sum(sizes.values()) * 1.25)))
    keys_before = [e.key for e in cache.info().entries]  # oldest first
    third = _build(cache_dir, tmp_path, "c")
    kept = [e.key for e in cache.info().entries]
    assert keys_before[0] not in kept and keys_before[1] in kept and len(kept) == 2
    assert third.location is not None and third.location.parent.name in kept


def test_an_entry_in_use_is_never_evicted(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_use = _build(cache_dir, tmp_path, "a")
    monkeypatch.setenv("GCMGRAPH_CACHE_SIZE", "1")
    newest = _build(cache_dir, tmp_path, "b")
    kept = {e.key for e in cache.info().entries}
    assert kept == {in_use.location.parent.name, newest.location.parent.name}
    first = in_use.location.parent.name
    del in_use  # no longer used: now the oldest entry goes; "b" is still in use and stays
    last = _build(cache_dir, tmp_path, "c")
    kept = {e.key for e in cache.info().entries}
    assert kept == {newest.location.parent.name, last.location.parent.name} and first not in kept


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_cache_info_and_clear_touch_only_gcmgraphs_own_files(cache_dir: Path, sessions: Path) -> None:
    count_sessions(sessions)
    count_sessions(sessions, str(ROOT / "data" / "phases.ttl"))
    cache_dir.joinpath("notes.txt").write_text("a user's file that happens to be here")
    cache_dir.joinpath("mine").mkdir()
    cache_dir.joinpath("mine", "x.nq").write_text("not ours either")
    theirs = {k: v for k, v in _tree_digest(cache_dir).items() if k in ("notes.txt", "mine/x.nq")}
    shown = run("cache", "info")
    assert shown.exit_code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"location: {cache_dir}"
    assert lines[1] == "limit:    4.0 GiB (GCMGRAPH_CACHE_SIZE)"
    assert lines[2].startswith("entries:  2, ")
    assert len(lines) == 5 and all("2 file(s)" in line for line in lines[3:])
    listed = json.loads(run("cache", "info", "-f", "json").stdout)
    assert len(listed["entries"]) == 2 and listed["total"] >= sum(e["bytes"] for e in listed["entries"]) > 0
    cleared = run("cache", "clear")
    assert cleared.exit_code == 0, cleared.stderr
    assert cleared.stdout.startswith("removed 2 entries (") and cleared.stdout.endswith(f") from {cache_dir}\n")
    assert _tree_digest(cache_dir) == theirs
    assert sorted(p.name for p in cache_dir.iterdir()) == ["mine", "notes.txt"]
    assert count_sessions(sessions) == (6, "")  # and the cache works again afterwards


def test_clear_keeps_an_entry_a_running_gcmgraph_uses(cache_dir: Path) -> None:
    graph = open_graph([EVENTS])
    cleared = run("cache", "clear")
    assert cleared.stdout.endswith("; kept 1 in use by a running gcmgraph\n")
    assert graph.query("ASK { ?s ?p ?o }").boolean is True
    assert graph.location is not None and graph.location.is_dir()


def test_a_bad_size_setting_is_a_usage_error(cache_dir: Path, sessions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMGRAPH_CACHE_SIZE", "lots")
    result = run("query", str(sessions), "--data", EVENTS)
    assert result.exit_code == 2
    assert result.stderr == "Error: GCMGRAPH_CACHE_SIZE 'lots': give a size in bytes, or with K, M or G (e.g. 4G)\n"


def test_an_unwritable_cache_folder_is_reported_and_the_work_done_in_memory(
    tmp_path: Path, sessions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("GCMGRAPH_CACHE_DIR", str(blocker / "cache"))
    found, stderr = count_sessions(sessions)
    assert found == 6
    assert stderr.startswith(f"warning: cache folder {blocker / 'cache'} cannot be written (")
    assert stderr.endswith("); working in memory\n") and stderr.count("\n") == 1


def test_a_big_files_digest_is_remembered_until_the_file_changes(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "REMEMBER_DIGEST_BYTES", 1)
    path = tmp_path / "data.nt"
    path.write_text('<https://e.org/a> <https://e.org/p> "1" .\n')
    time.sleep(1.1)  # a file changed within the last second is never remembered
    memo = cache.DigestMemo()
    first = read_source(path, memo).digest
    memo.save()
    assert cache.DigestMemo().get(path, path.stat()) == first
    with path.open("a") as out:
        out.write('<https://e.org/a> <https://e.org/p> "2" .\n')
    assert cache.DigestMemo().get(path, path.stat()) is None  # a changed file is read again
    assert read_source(path, cache.DigestMemo()).digest == hashlib.sha256(path.read_bytes()).hexdigest() != first
    (cache_dir / "digests").write_bytes(b"gcmgraph-cache 2 5 " + b"0" * 64 + b"\nhello")
    assert cache.DigestMemo().get(path, path.stat()) is None  # a damaged memo is ignored


@pytest.mark.parametrize("query", ["thematic-sessions", "vote-tallies", "timeline"])
def test_gathered_cells_are_the_same_bytes_with_and_without_the_cache(query: str, tmp_path: Path) -> None:
    """GROUP_CONCAT's order is the engine's (it differs between the on-disk and the in-memory
    store); run_query sorts the gathered values, so both give the same bytes."""
    on = CliRunner().invoke(main, ["query", query, "-f", "csv"], env={"GCMGRAPH_CACHE_DIR": str(tmp_path)})
    off = CliRunner().invoke(main, ["query", query, "-f", "csv"], env={"GCMGRAPH_CACHE": "0"})
    assert on.exit_code == off.exit_code == 0
    assert on.stdout == off.stdout


def test_a_gathered_cell_lists_its_values_in_sorted_order() -> None:
    # Thematic session 1 (Geneva) is stated by seeds 000, 001, 002 and public record fact 60.
    rows = CliRunner().invoke(main, ["query", "thematic-sessions", "-f", "json"]).stdout
    first = json.loads(rows)["results"]["bindings"][0]
    documents = ["reference-public-record", "seed-gcm-phases", "seed-iom-gcm", "seed-nnirr-gcm"]
    assert first["source"]["value"] == "; ".join(f"https://w3id.org/gcmgraph/id/document/{d}" for d in documents)
