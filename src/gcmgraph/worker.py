"""What runs in a query worker process of ``gcmgraph serve``: the job it is given, the reply it
sends back, and the evaluation itself, bounded in size (and, by the pool that owns the process,
in time and memory).

A worker opens the store read-only, confines each query with :func:`gcmgraph.guard.confine`
(here, inside the worker, so that checking a huge text is bounded by the time limit too), runs it
with pyoxigraph and writes the answer in the format content negotiation chose. This module
imports little, so a worker starts quickly.
"""

from __future__ import annotations

import re
import resource
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

import pyoxigraph as ox

from .errors import RefusedQueryError
from .formats import GRAPH, RESULTS, Format, find, formats
from .guard import confine
from .limits import DEFAULT_TIMEOUT_S
from .render import render_result
from .results import QueryResult, from_solutions_json

KIND_WORDS = {RESULTS: "a table (SELECT/ASK) result", GRAPH: "a graph (CONSTRUCT/DESCRIBE) result"}


@dataclass(frozen=True)
class ServeLimits:
    """What one query may use: seconds, bytes of answer, megabytes of memory; and how many
    queries run at once (one worker process each)."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    max_bytes: int = 16_000_000
    memory_mb: int = 2048
    workers: int = 2


@dataclass(frozen=True)
class Job:
    """One query for an engine: its text (unchecked: the engine confines it with
    :func:`gcmgraph.guard.confine`, within its own time limit), the dataset the protocol named,
    and the format for each kind of answer (``None``: the client accepts none of that kind)."""

    text: str
    origin: str
    accept: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = "json"
    graph_format: str | None = "json-ld"
    gathered: tuple[str, ...] = ()  # columns whose gathered values come sorted (queries.run_query)


@dataclass(frozen=True)
class Reply:
    """What goes back to the client: a status, a media type and the body."""

    status: int
    media_type: str
    body: bytes

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (" ".join(message.split()) + "\n").encode())


def media_type(fmt: Format) -> str:
    """The Content-Type for a format: its preferred media type, with the charset for text."""
    return f"{fmt.media_type}; charset=utf-8" if fmt.media_type.startswith("text/") else fmt.media_type


def not_acceptable(kind: str, accept: str) -> Reply:
    """406: no format of this kind of answer matches the client's Accept header."""
    offered = ", ".join(f.media_types[0] for f in formats(kind))
    return Reply.error(406, f"no format for {KIND_WORDS[kind]} matches 'Accept: {accept[:200]}'; offered: {offered}")


class _TooLarge(Exception):
    pass


class _Bounded:
    """A file-like sink that stops the writer (and so the query) once it holds ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.parts: list[bytes] = []

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


def evaluate(store: ox.Store, known_graphs: Sequence[str], job: Job, max_bytes: int) -> Reply:
    """Confine one job's query, run it on the read-only store and write its answer in the format
    asked for. The check runs here, not in the server process, so its work is bounded too."""
    try:
        confined = confine(job.text, known_graphs, job.origin)
    except RefusedQueryError as error:
        return Reply.error(400, str(error))
    too_large = Reply.error(507, f"{job.origin}: the answer is larger than {max_bytes} bytes (the server's limit)")
    dataset: dict[str, Any] = {}
    if job.default_graphs or job.named_graphs:
        dataset = {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs],
        }
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
            bounded = _Bounded(max_bytes)
            sink = cast(IO[bytes], bounded)  # pyoxigraph calls only write(); its stub asks for a whole IO[bytes]
            if chosen.results is not None and not job.gathered:  # JSON, XML, TSV: written as evaluated,
                answer.serialize(sink, format=chosen.results)  # the same bytes render_result would give
                return Reply(200, media_type(chosen), bounded.value())
            answer.serialize(sink, format=ox.QueryResultsFormat.JSON)
            kind = "ASK" if isinstance(answer, ox.QueryBoolean) else "SELECT"
            result = from_solutions_json(kind, bounded.value()).with_gathered_sorted(job.gathered)
    except SyntaxError as error:
        return _syntax_error(job, error)
    except _TooLarge:
        return too_large
    except (OSError, RuntimeError, ValueError) as error:
        return Reply.error(400, f"{job.origin}: the query failed: {error}")
    assert chosen is not None
    body = render_result(result, chosen.name, width=None)  # an HTTP client has no terminal width
    return too_large if len(body) > max_bytes else Reply(200, media_type(chosen), body)


def worker_main(connection: Any, store_path: str, limits: ServeLimits) -> None:
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
            reply = evaluate(store, known_graphs, job, limits.max_bytes)
        except MemoryError:
            reply = Reply.error(507, f"{job.origin}: the query needs more memory than the server's --max-memory")
        connection.send(reply)
