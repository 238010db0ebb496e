"""The default bounds on a query's work, shared by the local store, remote endpoints and the CLI."""

from __future__ import annotations

#: Seconds a query may run before it is stopped.
DEFAULT_TIMEOUT_S = 30.0
#: Rows (or triples) a result may hold.
DEFAULT_MAX_ROWS = 100_000
