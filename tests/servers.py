"""Helpers for the tests of ``gcmgraph serve``: a real server in a subprocess on 127.0.0.1, a
listener that records every request it receives, and plain HTTP calls that keep error answers."""

from __future__ import annotations

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
                stdout=subprocess.DEVNULL, stderr=sink,
            )  # fmt: skip
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
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read(),
                          dict(response.headers))  # fmt: skip
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
