"""Every user-facing error of gcmgraph, in one hierarchy: each carries what a user needs to fix their
input, and the CLI prints it as one line on stderr with its exit code (2 unless stated)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class GcmgraphError(Exception):
    """A user-facing error: bad input, unknown name, refused operation. Never a bug."""

    exit_code = 2

    def __str__(self) -> str:
        return " ".join(str(self.args[0]).split()) if self.args else self.__class__.__name__


def _where(path: Path | str, line: int | None = None, column: int | None = None) -> str:
    place = str(path)
    if line is not None:
        place += f":{line}"
        if column is not None:
            place += f":{column}"
    return place


class DataSyntaxError(GcmgraphError):
    """A data, ontology or shapes file that cannot be read as RDF."""

    def __init__(self, path: Path | str, line: int | None, reason: str, column: int | None = None):
        self.path, self.line, self.column, self.reason = str(path), line, column, reason
        super().__init__(f"{_where(path, line, column)}: {reason}")


class InputFileError(GcmgraphError):
    """A path the user named that is missing, unreadable, or not a file of the expected kind."""

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


class OutputFileError(GcmgraphError):
    """An output path gcmgraph will not write (an input, a special file, a folder it did not
    write) or cannot write (no such folder, no permission)."""

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


class UnknownQueryError(GcmgraphError):
    """A query name that is not in the catalogue."""

    def __init__(self, name: str, known: Sequence[str]):
        self.name, self.known = name, list(known)
        hint = ", ".join(self.known[:8]) + (" ..." if len(self.known) > 8 else "")
        super().__init__(f"unknown query '{name}' (run 'gcmgraph list'; known: {hint})")


class QueryFileError(GcmgraphError):
    """A stored query file whose header or SPARQL text is malformed."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{_where(path, line)}: {reason}")


class QueryParameterError(GcmgraphError):
    """A parameter value that is missing, unknown, repeated or of the wrong type."""

    def __init__(self, query: str, parameter: str, reason: str):
        self.query, self.parameter, self.reason = query, parameter, reason
        super().__init__(f"query '{query}', parameter '{parameter}': {reason}")


class RefusedQueryError(GcmgraphError):
    """A query that would reach outside the loaded data or change it, without the user's opt-in."""


class QueryTimeoutError(GcmgraphError):
    """A query that ran longer than its time limit."""


class ResultLimitError(GcmgraphError):
    """A query that returned more rows than the result limit."""


class UsageError(GcmgraphError):
    """An option or argument that does not make sense (unknown format, conflicting options)."""


class RemoteError(GcmgraphError):
    """An endpoint that cannot be reached or answers with an error or with something else."""


class ServeError(GcmgraphError):
    """The server could not be started."""


class RequestError(GcmgraphError):
    """An HTTP request the server will not answer as asked; ``status`` is the HTTP status to send."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


class UnknownResourceError(GcmgraphError):
    """A name that matches no resource, or several."""


class UnknownPlotError(GcmgraphError):
    """A picture name that is not one of the known pictures."""

    def __init__(self, name: str, known: Sequence[str]):
        self.name, self.known = name, list(known)
        super().__init__(f"unknown picture '{name}' (known: {', '.join(self.known)})")


class PlotOutputError(GcmgraphError):
    """A picture that cannot be written in the format asked for."""


class NothingToShowError(GcmgraphError):
    """The graph holds nothing a picture or a page needs (e.g. no events for the timeline)."""


class UnknownGraphError(GcmgraphError):
    """A query that names (FROM, FROM NAMED) a graph that is not loaded."""


class ResourceLimitError(GcmgraphError):
    """Work the machine cannot hold: not enough memory or disk for the graph."""


class CacheError(GcmgraphError):
    """The graph cache cannot be read, written or cleared as asked."""
