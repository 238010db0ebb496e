"""Outputs: gcmgraph writes whole regular files and its own folders, and never deletes or
overwrites anything it did not write. Every test uses the real thing: real folders (hashed before
and after), a real FIFO, a real device, a real socket, a real closed pipe, a real killed process."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from gcmgraph.cli import EXIT_READER_GONE, main
from gcmgraph.errors import OutputFileError
from gcmgraph.output import SITE_MARKER, write_atomic, write_folder

VALID = str(FIXTURES / "validate" / "valid.ttl")
TYPED = str(FIXTURES / "queries" / "typed-params.rq")
TYPED_ARGS = ["-p", "thing=state:che", "-p", "count=1", "-p", "day=2018-12-10", "-p", "name=x"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def gcmgraph(*args: str, **options) -> subprocess.CompletedProcess:
    """The real command in its own process (for pipes, FIFOs and signals)."""
    return subprocess.run([sys.executable, "-m", "gcmgraph", *args], cwd=ROOT, timeout=120, **options)


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with the digest of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_refused(result, message: str) -> None:
    """Exit 2 and exactly one line on stderr, the given one, and no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


# docs -o DIR


def test_docs_refuses_a_folder_holding_files_it_did_not_write(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "index.html").write_text("<p>my own page</p>\n")
    (project / "thesis.txt").write_text("three years of work\n")
    before = hashes(project)
    result = run("docs", "-o", str(project))
    assert_refused(
        result,
        f"{project}: holds files gcmgraph did not write (no {SITE_MARKER} of an earlier gcmgraph docs); "
        "give a new or empty folder",
    )
    assert hashes(project) == before


def test_a_folder_build_replaces_its_own_earlier_build_and_nothing_else(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_folder(site, {"index.html": b"<p>first</p>", "id/state/mar.html": b"<p>Morocco</p>"})
    assert json.loads((site / SITE_MARKER).read_text())["files"] == {
        "index.html": hashlib.sha256(b"<p>first</p>").hexdigest(),
        "id/state/mar.html": hashlib.sha256(b"<p>Morocco</p>").hexdigest(),
    }
    write_folder(site, {"index.html": b"<p>second</p>"})
    assert {p: h for p, h in hashes(site).items() if p != SITE_MARKER} == {
        "index.html": hashlib.sha256(b"<p>second</p>").hexdigest()
    }
    assert not (site / "id").exists()  # the earlier build wrote it, so it may go
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # nothing left beside it


@pytest.mark.parametrize(
    ("change", "culprit", "reason"),
    [
        (lambda site: (site / "notes.txt").write_text("mine"), "notes.txt", "was not written by gcmgraph docs"),
        (lambda site: (site / "drafts").mkdir(), "drafts", "was not written by gcmgraph docs"),
        (
            lambda site: (site / "index.html").write_text("edited"),
            "index.html",
            "has changed since gcmgraph docs wrote it",
        ),
    ],
    ids=["added-file", "added-folder", "edited-file"],
)
def test_an_earlier_build_with_the_users_changes_is_refused(tmp_path: Path, change, culprit: str, reason: str) -> None:
    site = tmp_path / "site"
    write_folder(site, {"index.html": b"<p>first</p>"})
    change(site)
    before = hashes(site)
    with pytest.raises(OutputFileError) as caught:
        write_folder(site, {"index.html": b"<p>second</p>"})
    assert str(caught.value) == f"{site / culprit}: {reason}; move it, or give another folder"
    assert hashes(site) == before


def test_an_empty_folder_takes_a_build(tmp_path: Path) -> None:
    site = tmp_path / "empty"
    site.mkdir()
    write_folder(site, {"index.html": b"<p>hello</p>"})
    assert (site / "index.html").read_bytes() == b"<p>hello</p>"


@pytest.mark.parametrize("where", ["-", "a-file"])
def test_docs_needs_a_folder(tmp_path: Path, where: str) -> None:
    target = "-" if where == "-" else str(tmp_path / "notes.txt")
    if where != "-":
        Path(target).write_text("mine")
    result = run("docs", "-o", target)
    reason = (
        "docs writes a folder of pages, not a stream; give a folder"
        if where == "-"
        else "is not a folder; give a new or empty folder, or an earlier site"
    )
    assert_refused(result, f"{target}: {reason}")
    if where != "-":
        assert Path(target).read_text() == "mine"


# -o PATH: regular files only


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "results"
    os.mkfifo(fifo)
    done = gcmgraph("query", "thematic-sessions", "-o", str(fifo), capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == (
        f"Error: {fifo}: is a pipe (FIFO), not a regular file; -o writes regular files only (use -o - for stdout)\n"
    )
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_device_is_refused_and_stays_a_device() -> None:
    result = run("export", "-o", "/dev/null")
    assert_refused(
        result, "/dev/null: is a device, not a regular file; -o writes regular files only (use -o - for stdout)"
    )
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = run("list", "-o", str(path))
    assert_refused(result, f"{path}: is a socket, not a regular file; -o writes regular files only")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert_refused(run("list", "-o", str(tmp_path)), f"{tmp_path}: is a folder; give a file name")


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("/sys/gcmgraph-out.txt", "cannot be written (Permission denied)"),
        ("/proc/gcmgraph-out.txt", "is an open file descriptor or a process file, not a file to replace; use -o -"),
        ("/dev/stderr", "is an open file descriptor or a process file, not a file to replace; use -o -"),
    ],
)
def test_places_nobody_can_write_to_are_one_line_errors(target: str, reason: str) -> None:
    assert_refused(run("list", "-o", target), f"{target}: {reason}")


def test_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.csv"
    assert_refused(run("list", "-o", str(target)), f"{target}: folder {target.parent} does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root; /sys covers the unwritable case")
def test_a_read_only_folder_is_a_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run("list", "-o", str(folder / "out.txt"))
    finally:
        folder.chmod(0o755)
    assert_refused(result, f"{folder / 'out.txt'}: cannot be written (folder {folder} is not writable)")


# -o PATH: never one of the command's inputs


def test_validate_refuses_to_write_its_report_over_the_accepted_findings(tmp_path: Path) -> None:
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text("accepted: []\n")
    before = hashes(tmp_path)
    result = run("validate", VALID, "--accepted", str(accepted), "-o", str(accepted))
    assert_refused(result, f"{accepted}: is one of the command's inputs; choose another output file")
    assert hashes(tmp_path) == before


def test_an_input_is_recognised_through_a_hard_link_and_a_symlink(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_bytes(Path(VALID).read_bytes())
    os.link(data, tmp_path / "hard.ttl")
    (tmp_path / "soft.ttl").symlink_to(data)
    before = hashes(tmp_path)
    for alias in ("hard.ttl", "soft.ttl"):
        result = run("export", "--data", str(data), "-f", "nt", "-o", str(tmp_path / alias))
        assert_refused(result, f"{tmp_path / alias}: is one of the command's inputs; choose another output file")
    assert hashes(tmp_path) == before


def test_a_file_inside_a_data_folder_is_an_input(tmp_path: Path) -> None:
    (tmp_path / "valid.ttl").write_bytes(Path(VALID).read_bytes())
    before = hashes(tmp_path)
    result = run("query", TYPED, *TYPED_ARGS, "--data", str(tmp_path), "-o", str(tmp_path / "valid.ttl"))
    assert_refused(result, f"{tmp_path / 'valid.ttl'}: is one of the command's inputs; choose another output file")
    assert hashes(tmp_path) == before


def test_export_refuses_to_write_over_its_frame(tmp_path: Path) -> None:
    frame = tmp_path / "frame.jsonld"
    frame.write_text('{"@type": "Event"}\n')
    result = run("export", "--frame", str(frame), "-o", str(frame))
    assert_refused(result, f"{frame}: is one of the command's inputs; choose another output file")
    assert frame.read_text() == '{"@type": "Event"}\n'


# -o PATH: atomic, and what it replaces


def test_a_file_is_replaced_whole_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old content, longer than the new one " * 100)
    target.chmod(0o640)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


_HANG_WHILE_WRITING = """
import os, sys, time
from gcmgraph import output
def hang(*args, **kwargs):
    print("written", flush=True)
    time.sleep(600)
output.os.replace = hang
output.write_atomic(sys.argv[1], b"half of a result")
"""


def _writer_stuck_before_rename(target: Path) -> subprocess.Popen:
    """A real process that has written its temporary file beside ``target`` and not yet renamed it."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HANG_WHILE_WRITING, str(target)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "written\n"
    return process


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".notes.txt.tmp").write_text("also mine: not gcmgraph's pattern")
    user_files = hashes(tmp_path)
    writer = _writer_stuck_before_rename(tmp_path / "answer.csv")
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    left = [p.name for p in tmp_path.iterdir() if p.name not in user_files]
    assert len(left) == 1 and left[0].startswith(".answer.csv.gcmgraph-") and left[0].endswith(".tmp")
    result = run("query", TYPED, *TYPED_ARGS, "-o", str(tmp_path / "other.csv"))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*user_files, "other.csv"])
    assert {k: v for k, v in hashes(tmp_path).items() if k in user_files} == user_files


def test_a_running_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    writer = _writer_stuck_before_rename(tmp_path / "answer.csv")
    try:
        temp = next(tmp_path.iterdir())
        write_atomic(tmp_path / "other.csv", b"x\n")
        assert temp.exists()
    finally:
        writer.kill()
        writer.wait()


# stdout: -, /dev/stdout, and a reader that has gone


@pytest.mark.parametrize(
    "args",
    [
        ["query", TYPED, *TYPED_ARGS, "-f", "csv"],
        ["export", "--only", "ontology", "-f", "nt"],
        ["validate", VALID],
        ["plot", "timeline"],
        ["list"],
        ["show", "timeline"],
        ["describe", "state:mar"],
    ],
    ids=lambda args: args[0],
)
def test_dash_means_stdout_everywhere(args: list[str]) -> None:
    without, with_dash = run(*args), run(*args, "-o", "-")
    assert without.exit_code == with_dash.exit_code == 0, with_dash.stderr
    assert with_dash.stdout == without.stdout != ""
    assert not Path("-").exists() and not (ROOT / "-").exists()


@pytest.mark.parametrize("output", [[], ["-o", "/dev/stdout"]], ids=["stdout", "dev-stdout"])
def test_a_closed_pipe_ends_quietly(output: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written, like `| head -0`
    try:
        done = gcmgraph("query", "thematic-sessions", "-f", "csv", *output, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.returncode == EXIT_READER_GONE
    assert done.stderr == b""


def test_dev_stdout_redirected_to_a_file_adds_to_it_rather_than_replacing_it(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_text("written by the shell before\n")
    with log.open("a") as out:
        done = gcmgraph("list", "-o", "/dev/stdout", stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    text = log.read_text()
    assert text.startswith("written by the shell before\nclass-counts ")
    assert "thematic-sessions " in text
