"""Writing results to files: whole or not at all, and never over a file the command read."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import InputFileError
from .paths import bundled_root


def write_atomic(path: Path | str, content: bytes, inputs: Iterable[Path] = ()) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename."""
    target = Path(path)
    resolved = target.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise InputFileError(target, "is one of the command's inputs; choose another output file")
    for folder_name in ("ontology", "data", "queries"):
        bundled = (bundled_root() / folder_name).resolve()
        if resolved.is_relative_to(bundled):
            raise InputFileError(target, f"is inside the bundled {folder_name}/ folder; choose another output file")
    if target.is_dir():
        raise InputFileError(target, "is a folder; give a file name")
    folder = resolved.parent
    if not folder.is_dir():
        raise InputFileError(target, f"folder {folder.name or folder} does not exist")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes the file private; outputs are ordinary files
        os.replace(temp, resolved)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
