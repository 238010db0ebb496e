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
passes ``max_bytes``. Other queries go on in the other workers. The query text is confined by
:func:`gcmgraph.guard.confine` before a worker sees it, and a worker is only ever asked to
evaluate a query, never an update.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import re
import resource
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .api import MAX_BODY_BYTES, Job, Reply, make_app, media_type, not_acceptable
from .errors import RefusedQueryError, ServeError
from .formats import GRAPH, RESULTS, find
from .guard import confine
from .limits import DEFAULT_TIMEOUT_S
from .queries import StoredQuery
from .render import render_result
from .results import QueryResult, from_solutions_json

_log = logging.getLogger(__name__)
_STARTUP_S = 60.0


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed with the ``oxigraph`` package (beside this Python); the
    tests run it as a real remote store."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the 'oxigraph' server is not installed (pip install oxigraph)")
    return found


@dataclass(frozen=True)
class ServeLimits:
    """What one query may use: seconds, bytes of answer, megabytes of memory; and how many
    queries run at once (one worker process each)."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    max_bytes: int = 16_000_000
    memory_mb: int = 2048
    workers: int = 2


# -- the worker process ------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _Bounded:
    """A file-like sink that stops the writer (and so the query) once it holds ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size = limit, [], 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


def _syntax_error(job: Job, error: SyntaxError) -> Reply:
    message = str(error.msg or error)
    where = re.match(r"error at (\d+):(\d+): ", message)
    place = f"{job.origin}:{where.group(1)}:{where.group(2)}" if where else job.origin
    return Reply.error(400, f"{place}: SPARQL syntax error: {message[where.end() :] if where else message}")


def _evaluate(store: ox.Store, known_graphs: Sequence[str], job: Job, max_bytes: int) -> Reply:
    """Confine one job's query, run it on the read-only store and write its answer in the format
    asked for. The check runs here, not in the server process, so its work is bounded too."""
    try:
        confined = confine(job.text, known_graphs, job.origin)
    except RefusedQueryError as error:
        return Reply.error(400, str(error))
    too_large = Reply.error(507, f"{job.origin}: the answer is larger than {max_bytes} bytes (the server's limit)")
    dataset: dict[str, Any] = {}
    if job.default_graphs or job.named_graphs:
        dataset = {"default_graph": [ox.NamedNode(g) for g in job.default_graphs],
                   "named_graphs": [ox.NamedNode(g) for g in job.named_graphs]}  # fmt: skip
    try:
        union = not (confined.names_dataset or dataset)
        answer = store.query(confined.text, use_default_graph_as_union=union, **dataset)
        if isinstance(answer, ox.QueryTriples):
            if job.graph_format is None:
                return not_acceptable(GRAPH, job.accept)
            triples, size = [], 0
            for triple in answer:
                size += len(str(triple)) + 3
                if size > max_bytes:
                    return too_large
                triples.append(triple)
            form = "DESCRIBE" if confined.form == "DESCRIBE" else "CONSTRUCT"
            result, chosen = QueryResult(form=form, triples=tuple(triples)), find(GRAPH, job.graph_format)
        else:
            chosen = find(RESULTS, job.results_format) if job.results_format else None
            if chosen is None:
                return not_acceptable(RESULTS, job.accept)
            sink = _Bounded(max_bytes)
            if chosen.results is not None:  # JSON, XML, TSV: pyoxigraph writes them as it evaluates,
                answer.serialize(sink, format=chosen.results)  # the same bytes render_result would give
                return Reply(200, media_type(chosen), sink.value())
            answer.serialize(sink, format=ox.QueryResultsFormat.JSON)
            kind = "ASK" if isinstance(answer, ox.QueryBoolean) else "SELECT"
            result = from_solutions_json(kind, sink.value())
    except SyntaxError as error:
        return _syntax_error(job, error)
    except _TooLarge:
        return too_large
    except (OSError, RuntimeError, ValueError) as error:
        return Reply.error(400, f"{job.origin}: the query failed: {error}")
    assert chosen is not None
    body = render_result(result, chosen.name)
    return too_large if len(body) > max_bytes else Reply(200, media_type(chosen), body)


def _worker_main(connection: Any, store_path: str, limits: ServeLimits) -> None:
    """A worker process: cap its memory, open the store read-only, answer jobs until told to stop.

    Before each job the worker also caps its own CPU time a little past the time limit, so a query
    still stops if the server process is gone and cannot kill it."""
    memory = limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        store = ox.Store.read_only(store_path)
    except OSError as error:
        connection.send(f"cannot open the store: {error}")
        return
    known_graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    connection.send("ready")
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu_cap = int(used.ru_utime + used.ru_stime + limits.timeout_s) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, resource.RLIM_INFINITY))
        try:
            reply = _evaluate(store, known_graphs, job, limits.max_bytes)
        except MemoryError:
            reply = Reply.error(507, f"{job.origin}: the query needs more memory than the server's --max-memory")
        connection.send(reply)


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
        for _ in range(self.limits.workers):
            self._idle.put(self._spawn())
        return self

    def _spawn(self) -> _Worker:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_worker_main, name="gcmgraph-query", daemon=True,
            args=(theirs, str(self.store_path), self.limits),
        )  # fmt: skip
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._every.append(worker)
        message = ours.recv() if ours.poll(_STARTUP_S) else "no answer"
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
                self._idle.put(self._spawn())
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
                reply = worker.connection.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            self._replace(worker)
            return Reply.error(507, f"{job.origin}: the query engine stopped; the query most likely needs more "
                               f"memory than {self.limits.memory_mb} MB (the server's --max-memory)")  # fmt: skip
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
    quads: Sequence[ox.Quad],
    queries: Iterable[StoredQuery],
    *,
    bind: str = "127.0.0.1:7878",
    limits: ServeLimits = ServeLimits(),
) -> RunningServer:
    """Write the quads to a new store folder, start the workers and listen on ``bind``
    (``PORT`` 0: any free port). Call :meth:`RunningServer.run`, then :meth:`RunningServer.stop`."""
    import waitress

    host, port = _host_port(bind)
    known_graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    folder = Path(tempfile.mkdtemp(prefix="gcmgraph-serve-"))
    pool = WorkerPool(folder / "store", limits)
    try:
        store = ox.Store(str(folder / "store"))
        store.bulk_extend(quads)
        store.flush()
        del store
        pool.start()
        app = make_app(pool, queries, known_graphs)
        try:
            server = waitress.create_server(
                app, host=host, port=port, threads=max(4, 2 * limits.workers), ident="gcmgraph",
                max_request_body_size=MAX_BODY_BYTES, max_request_header_size=32_768,
                channel_timeout=max(60, int(limits.timeout_s) + 30), connection_limit=100,
                expose_tracebacks=False, clear_untrusted_proxy_headers=True,
            )  # fmt: skip
        except OSError as error:
            raise ServeError(f"--bind {bind}: {error.strerror or error}") from None
    except BaseException:
        pool.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shown = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
    shown = f"[{shown}]" if ":" in shown else shown
    port = getattr(server, "effective_port", None) or server.effective_listen[0][1]  # several sockets for a name
    base = f"http://{shown}:{port}"
    return RunningServer(f"{base}/query", f"{base}/api/openapi.json", server, pool, folder)
