"""Bounds on the work a command may do, shared by the local store, remote endpoints and the CLI.

A command runs under one :func:`deadline` (``--timeout``, default from ``GCMGRAPH_TIMEOUT``): the
services call :func:`check` between steps (files, stages) and wait at most :func:`bound` seconds
for native work such as a query. Work that does not return in time (a parser or reasoner deep in
native or library code) is ended by a watchdog thread a short grace period after the deadline:
it removes the temporary files registered with :func:`removed_on_timeout`, hands the one-line
message to the CLI's callback and ends the process. A second, last-resort timer in C
(``faulthandler``) ends a process whose Python threads cannot run at all.
"""

from __future__ import annotations

import contextlib
import faulthandler
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from .errors import QueryTimeoutError, UsageError

#: Seconds a query-like command (query, describe, list, show, plot) may run by default.
DEFAULT_TIMEOUT_S = 30.0
#: Seconds a whole-graph command (validate, export, docs, publish) may run by default.
LONG_TIMEOUT_S = 600.0
#: The largest time limit accepted (one day).
MAX_TIMEOUT_S = 86_400.0
#: Rows (or triples) a result may hold.
DEFAULT_MAX_ROWS = 100_000
#: Bytes a query file may hold (files from other people are untrusted).
MAX_QUERY_FILE_BYTES = 1_000_000
#: Characters the ``#+`` header of a query file may hold, and how deep its YAML may nest.
MAX_HEADER_CHARS = 64_000
MAX_HEADER_DEPTH = 16
#: Characters one parameter value may hold, and values one parameter may take.
MAX_PARAMETER_CHARS = 4_096
MAX_PARAMETER_VALUES = 1_000
#: Environment variable that replaces the default time limit of every command.
TIMEOUT_ENV = "GCMGRAPH_TIMEOUT"
#: Seconds the watchdog waits after the deadline for work to stop on its own.
GRACE_S = 2.0
#: Further seconds before the last-resort timer ends a process that holds the interpreter.
LAST_RESORT_S = 5.0


def parse_timeout(value: str | float, what: str = "--timeout") -> float:
    """A time limit in seconds, or a :class:`UsageError` naming ``what`` (0, negative, inf, nan,
    more than a day and non-numbers are refused)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what} {value!r}: give a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_TIMEOUT_S:
        raise UsageError(f"{what} {value!r}: give a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}")
    return seconds


def default_timeout(fallback: float) -> float:
    """``GCMGRAPH_TIMEOUT`` if set (checked like ``--timeout``), else ``fallback``."""
    configured = os.environ.get(TIMEOUT_ENV, "").strip()
    return parse_timeout(configured, TIMEOUT_ENV) if configured else fallback


class _Deadline:
    def __init__(self, seconds: float, ends: float):
        self.seconds, self.ends = seconds, ends
        self.doing = "working"
        self.cleanups: list[Path] = []

    def message(self, origin: str | None = None) -> str:
        where = f"{origin}: " if origin else ""
        return f"{where}stopped after {self.seconds:g} s while {self.doing} (raise it with --timeout)"


_current: _Deadline | None = None
_lock = threading.Lock()


def _remove(paths: list[Path]) -> None:
    import shutil

    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def deadline(seconds: float, on_expire: Callable[[str], None]) -> Iterator[None]:
    """Run the block under a time limit of ``seconds`` for the whole process.

    ``on_expire(message)`` is called from the watchdog thread when the work has not stopped
    ``GRACE_S`` after the deadline; it must end the process (the CLI prints the message and
    exits 2). Temporary files registered meanwhile are removed first.
    """
    global _current
    state = _Deadline(seconds, time.monotonic() + seconds)

    def expire() -> None:
        with _lock:
            paths = list(state.cleanups)
        _remove(paths)
        on_expire(state.message())

    watchdog = threading.Timer(seconds + GRACE_S, expire)
    watchdog.daemon = True
    previous = _current
    _current = state
    watchdog.start()
    last_resort = _last_resort(seconds + GRACE_S + LAST_RESORT_S)
    try:
        yield
    finally:
        watchdog.cancel()
        if last_resort is not None:
            faulthandler.cancel_dump_traceback_later()
            last_resort.close()
        _current = previous


def _last_resort(seconds: float) -> TextIO | None:
    """Arm faulthandler's C timer to end the process even if no Python thread can run."""
    try:
        sink = open(os.devnull, "w")  # noqa: SIM115 - kept open until the timer is cancelled
        faulthandler.dump_traceback_later(seconds, exit=True, file=sink)
    except (OSError, RuntimeError, ValueError):
        return None
    return sink


def remaining() -> float | None:
    """Seconds left before the command's deadline, or None when no deadline is set."""
    state = _current
    return None if state is None else state.ends - time.monotonic()


def budget() -> float | None:
    """The running command's whole time limit in seconds (what ``--timeout`` said), if any."""
    state = _current
    return None if state is None else state.seconds


def check(doing: str | None = None, origin: str | None = None) -> None:
    """Note what the command is doing, and stop with a clear error if its time is up."""
    state = _current
    if state is None:
        return
    if doing:
        state.doing = doing
    if time.monotonic() >= state.ends:
        raise QueryTimeoutError(state.message(origin))


def bound(timeout: float | None) -> tuple[float | None, float | None]:
    """How long to wait for one piece of work given its own ``timeout``: ``(wait, reported)``, where
    ``reported`` is the limit to name in the error (the command's own, when that one is nearer)."""
    left = remaining()
    if left is None or (timeout is not None and timeout <= left):
        return timeout, timeout
    state = _current
    return max(left, 0.0), state.seconds if state else None


@contextlib.contextmanager
def removed_on_timeout(path: Path) -> Iterator[Path]:
    """Register ``path`` (a file or folder) for removal if the watchdog ends the process."""
    state = _current
    if state is None:
        yield path
        return
    with _lock:
        state.cleanups.append(path)
    try:
        yield path
    finally:
        with _lock:
            if path in state.cleanups:
                state.cleanups.remove(path)
