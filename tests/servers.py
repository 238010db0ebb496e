"""Real servers for the tests, on 127.0.0.1 and free ports, each with a throw-away database in a
temporary folder: Oxigraph (the ``oxigraph`` command pyoxigraph's sister package installs),
Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``, which ``.ci/run`` installs) and
``gcmgraph serve`` itself; a listener that records every request it receives; and plain HTTP calls
that keep error answers."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed with the ``oxigraph`` package (beside this Python), run
    as a real remote store."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the 'oxigraph' server is not installed (pip install oxigraph)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 20, process: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers ``ASK {}``; fail early if the server process has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} ended with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {seconds:g} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """A read-write Oxigraph server (its default graph is NOT the union); yields its /query URL."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/query", process=process)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop(process)


VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")

#: The smallest configuration Virtuoso 7 starts with, every file in one folder, both ports on the
#: loopback. ResultSetMaxRows is low on purpose: a test checks that a cut answer is an error.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
DirsAllowed = {folder}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its SPARQL endpoint, its Graph Store endpoint (Digest only), and a
    user allowed to write there."""

    sparql: str
    graph_store: str
    user: str
    password: str
    folder: Path


@contextmanager
def virtuoso_server(folder: Path, max_rows: int = 5000) -> Iterator[Virtuoso]:
    """Virtuoso 7 with a new database in ``folder``, and a user with the SPARQL_UPDATE role."""
    assert VIRTUOSO and ISQL, "virtuoso-opensource-7-bin is not installed (.ci/run installs it)"
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    with (folder / "console.log").open("wb") as log:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(base + "/sparql", seconds=120, process=process)
        user, password = "publisher", secrets.token_hex(12)
        grant = f"DB.DBA.USER_CREATE('{user}', '{password}'); GRANT SPARQL_UPDATE TO \"{user}\";"
        subprocess.run(
            [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grant}"], check=True, capture_output=True, timeout=60
        )
        yield Virtuoso(base + "/sparql", base + "/sparql-graph-crud-auth", user, password, folder)
    finally:
        stop(process)


# -- gcmgraph serve ------------------------------------------------------------------------------


@dataclass
class Served:
    """A running ``gcmgraph serve``: its base URL (``http://127.0.0.1:PORT``) and its process."""

    base: str
    process: subprocess.Popen
    log: Path

    @property
    def query_url(self) -> str:
        return self.base + "/query"


@contextmanager
def running_serve(*args: str, seconds: float = 60) -> Iterator[Served]:
    """``gcmgraph serve --bind 127.0.0.1:0 ARGS`` until the block ends; then it must stop cleanly."""
    with tempfile.TemporaryDirectory(prefix="gcmgraph-serve-test-") as folder:
        log = Path(folder) / "stderr.txt"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "gcmgraph", "serve", "--bind", "127.0.0.1:0", *args],
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        try:
            deadline = time.monotonic() + seconds
            while "\n" not in (text := log.read_text()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gcmgraph serve did not start: {text}")
                time.sleep(0.1)
            first = text.partition("\n")[0]
            assert first.startswith("SPARQL endpoint: http://127.0.0.1:"), first
            url = first.split()[2]
            yield Served(url.removesuffix("/query"), process, log)
        finally:
            process.terminate()
            process.wait(timeout=30)
        assert log.read_text().endswith("Stopped.\n"), log.read_text()
        assert process.returncode == 0


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> Answer:
    """One HTTP request; error statuses are answers too, not exceptions."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Answer(
                response.status, response.headers.get("Content-Type", ""), response.read(), dict(response.headers)
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Content-Type", ""), error.read(), dict(error.headers))


class _Recorder(BaseHTTPRequestHandler):
    def _record(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that answers anything and records every request: (base URL, hits)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.daemon_threads = True
    httpd.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.hits  # type: ignore[attr-defined]
    finally:
        httpd.shutdown()
        httpd.server_close()
