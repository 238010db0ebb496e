"""A real, read-only SPARQL endpoint over the graph, run by Oxigraph's own server.

The graph is written into a fresh Oxigraph store folder (one named graph per source file, plus the
OWL RL entailments when asked), then ``oxigraph serve-read-only`` serves it with the default graph
as the union of the named graphs. No home-made HTTP server; updates are not offered at all.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import ServeError


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed with the ``oxigraph`` package (beside this Python)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the 'oxigraph' server is not installed (pip install oxigraph)")
    return found


@dataclass
class RunningServer:
    """A started server: its URL, its process and the folder it serves (removed on stop)."""

    url: str
    process: subprocess.Popen
    folder: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start(
    quads: list[ox.Quad], bind: str = "127.0.0.1:7878", timeout_s: int = 30, wait_s: float = 20.0
) -> RunningServer:
    """Write the quads to a new store folder and start serving it read-only on ``bind``."""
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise ServeError(f"--bind {bind!r}: write HOST:PORT, e.g. 127.0.0.1:7878")
    folder = Path(tempfile.mkdtemp(prefix="gcmgraph-serve-"))
    try:
        store = ox.Store(str(folder / "store"))
        store.bulk_extend(quads)
        store.flush()
        del store
        with (folder / "server.log").open("wb") as log:
            process = subprocess.Popen(
                [oxigraph_binary(), "serve-read-only", "--location", str(folder / "store"), "--bind", bind,
                 "--union-default-graph", "--timeout-s", str(timeout_s)],
                stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    server = RunningServer(url="", process=process, folder=folder)
    try:
        return _wait_until_ready(server, host, port, wait_s, bind)
    except BaseException:
        server.stop()
        raise


def _wait_until_ready(server: RunningServer, host: str, port: str, wait_s: float, bind: str) -> RunningServer:
    process = server.process
    url = f"http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/query"
    server.url = url
    deadline = time.monotonic() + wait_s
    probe = url + "?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = server.folder / "server.log"
            message = log.read_text("utf-8", "replace").strip().splitlines() if log.is_file() else []
            raise ServeError(f"oxigraph server stopped at start: {message[-1] if message else 'no message'}")
        try:
            with urllib.request.urlopen(probe, timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    raise ServeError(f"oxigraph server did not answer on {bind} within {wait_s:g} s")
