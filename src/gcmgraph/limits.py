"""The default bounds on a query's work, shared by the local store, remote endpoints and the CLI."""

from __future__ import annotations

#: Seconds a query may run before it is stopped.
DEFAULT_TIMEOUT_S = 30.0
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
