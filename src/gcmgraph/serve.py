"""``gcmgraph serve``: the graph as a read-only SPARQL endpoint and a web API, safe to expose.

The graph is written into a fresh Oxigraph store folder (one named graph per source file, plus
the OWL RL entailments when asked). Requests are read by waitress (a well-kept pure-Python WSGI
server that bounds header and body sizes) running :func:`gcmgraph.api.make_app`, and queries are
evaluated by a small pool of worker processes, each with the store open read-only.

Why worker processes rather than Oxigraph's own server behind a proxy: Oxigraph's server follows
``SERVICE`` (it has no switch to turn that off) and its ``--timeout-s`` does not stop every query
(an ``ORDER BY`` over a cross join of the bundled graph grew past 20 GB and ran on past its limit).
A worker can be killed: a query that runs past ``timeout_s`` is stopped at once by killing its
worker, which is then replaced, so no runaway work is left behind; each worker's address space is
capped at ``memory_mb``; the answer is written into a buffer that stops the query as soon as it
passes ``max_bytes``. Other queries go on in the other workers. Each worker confines the query
text with :func:`gcmgraph.guard.confine` before evaluating it (see :mod:`gcmgraph.worker`) and is
only ever asked to evaluate a query, never an update.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .api import MAX_BODY_BYTES, make_app
from .errors import ServeError
from .queries import StoredQuery
from .worker import Job, Reply, ServeLimits, worker_main

_log = logging.getLogger(__name__)
_STARTUP_S = 60.0


# -- the pool ----------------------------------------------------------------------------------


@dataclass
class _Worker:
    process: Any
    connection: Any


@dataclass
class WorkerPool:
    """Worker processes over one store folder; :meth:`answer` runs a job within the limits."""

    store_path: Path
    limits: ServeLimits
    _idle: queue.Queue[_Worker] = field(default_factory=queue.Queue, init=False)
    _every: list[_Worker] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _closed: bool = field(default=False, init=False)

    def start(self) -> WorkerPool:
        """Start every worker at once, then wait until each has opened the store."""
        for worker in [self._launch() for _ in range(self.limits.workers)]:
            self._idle.put(self._ready(worker))
        return self

    def _launch(self) -> _Worker:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        ours, theirs = context.Pipe()
        process = context.Process(
            target=worker_main,
            name="gcmgraph-query",
            daemon=True,
            args=(theirs, str(self.store_path), self.limits),
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._every.append(worker)
        return worker

    def _ready(self, worker: _Worker) -> _Worker:
        message = worker.connection.recv() if worker.connection.poll(_STARTUP_S) else "no answer"
        if message != "ready":
            self._kill(worker)
            raise ServeError(f"a query worker did not start: {message}")
        return worker

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.connection.close()
        with self._lock:
            if worker in self._every:
                self._every.remove(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its successor in the background."""
        self._kill(worker)

        def refill() -> None:
            if self._closed:
                return
            try:
                self._idle.put(self._ready(self._launch()))
            except ServeError as error:
                _log.error("%s", error)

        threading.Thread(target=refill, name="gcmgraph-refill", daemon=True).start()

    def answer(self, job: Job) -> Reply:
        timeout = self.limits.timeout_s
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return Reply.error(503, f"{job.origin}: all {self.limits.workers} workers stayed busy for {timeout:g} s")
        try:
            worker.connection.send(job)
        except OSError:
            self._replace(worker)
            return Reply.error(503, f"{job.origin}: a query worker had stopped; please try again")
        try:
            if worker.connection.poll(timeout):
                reply: Reply = worker.connection.recv()  # a worker sends back only Replies
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            self._replace(worker)
            return Reply.error(
                507,
                f"{job.origin}: the query engine stopped; the query most likely needs more "
                f"memory than {self.limits.memory_mb} MB (the server's --max-memory)",
            )
        self._replace(worker)
        return Reply.error(503, f"{job.origin}: stopped after {timeout:g} s (the server's --timeout)")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._every)
        for worker in workers:
            self._kill(worker)


# -- the server --------------------------------------------------------------------------------


@dataclass
class RunningServer:
    """A started server: its URLs, the WSGI server, the worker pool and the store folder."""

    url: str
    api_url: str
    server: Any
    pool: WorkerPool
    folder: Path

    def run(self) -> None:
        """Answer requests until interrupted (KeyboardInterrupt, or SIGTERM turned into one)."""
        self.server.run()

    def stop(self) -> None:
        self.server.close()
        self.pool.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _host_port(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ServeError(f"--bind {bind!r}: write HOST:PORT, e.g. 127.0.0.1:7878")
    return host, int(port)


def start(
    quads: Iterable[ox.Quad],
    queries: Iterable[StoredQuery],
    *,
    bind: str = "127.0.0.1:7878",
    limits: ServeLimits | None = None,
) -> RunningServer:
    """Write the quads to a new store folder, start the workers and listen on ``bind``
    (``PORT`` 0: any free port). Call :meth:`RunningServer.run`, then :meth:`RunningServer.stop`."""
    from waitress.server import MultiSocketServer, create_server  # the stub of waitress re-exports only serve

    limits = limits or ServeLimits()
    host, port = _host_port(bind)
    folder = Path(tempfile.mkdtemp(prefix="gcmgraph-serve-"))
    pool = WorkerPool(folder / "store", limits)
    try:
        store = ox.Store(str(folder / "store"))
        store.bulk_extend(quads)  # read once: ``quads`` may be a stream
        store.flush()
        known_graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        del store
        pool.start()
        app = make_app(pool, queries, known_graphs)
        try:
            server = create_server(
                app,
                host=host,
                port=port,
                threads=max(4, 2 * limits.workers),
                ident="gcmgraph",
                max_request_body_size=MAX_BODY_BYTES,
                max_request_header_size=32_768,
                channel_timeout=max(60, int(limits.timeout_s) + 30),
                connection_limit=100,
                expose_tracebacks=False,
                clear_untrusted_proxy_headers=True,
            )
        except OSError as error:
            raise ServeError(f"--bind {bind}: {error.strerror or error}") from None
    except BaseException:
        pool.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shown = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
    shown = f"[{shown}]" if ":" in shown else shown
    # A host name with several addresses has one socket each; one socket tells its own (numeric) port.
    listening = server.effective_listen[0][1] if isinstance(server, MultiSocketServer) else server.getsockname()[1]
    base = f"http://{shown}:{listening}"
    return RunningServer(f"{base}/query", f"{base}/api/openapi.json", server, pool, folder)
