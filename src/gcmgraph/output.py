"""Writing results: whole or not at all, and never over anything gcmgraph did not write.

A file output (``-o PATH``) is a regular file or a new name in a folder gcmgraph can write to;
never a device, pipe, socket or folder, never one of the command's inputs, never inside the
bundled ontology/, data/ or queries/. It is written to a temporary file beside it, synced to disk
and renamed over the target, so a reader sees the old file or the new one, never half of one.

A folder output (``docs -o DIR``) is a new or empty folder, or one that holds exactly what an
earlier build wrote there, as listed (with digests) in its marker file; it is built beside the
target and renamed into place.

Temporary names follow one pattern, ``.<name>.gcmgraph-<pid>-<random>.tmp``: one left behind by
a process that was killed is removed by the next write into the same folder, once no process with
that id is running.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import GcmgraphError, OutputFileError
from .paths import bundled_root

STDOUT = "-"
#: The file an earlier ``gcmgraph docs`` build leaves in its folder: every file it wrote, with its digest.
SITE_MARKER = ".gcmgraph-docs.json"
_TEMP = re.compile(r"^\..*\.gcmgraph-(\d+)-[A-Za-z0-9_]+\.tmp$")
_KINDS = (
    (stat.S_ISDIR, "is a folder; give a file name"),
    (stat.S_ISFIFO, "is a pipe (FIFO), not a regular file; -o writes regular files only (use -o - for stdout)"),
    (stat.S_ISCHR, "is a device, not a regular file; -o writes regular files only (use -o - for stdout)"),
    (stat.S_ISBLK, "is a device, not a regular file; -o writes regular files only"),
    (stat.S_ISSOCK, "is a socket, not a regular file; -o writes regular files only"),
)


#: Names of the standard output itself: writing there must not replace whatever file stdout is.
_STDOUT_NAMES = ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")
#: Names of open descriptors and process files: never a file to replace.
_DESCRIPTORS = ("/dev/stdin", "/dev/stderr", "/dev/fd", "/proc")


def is_stdout(output: str | Path | None) -> bool:
    """Whether an ``-o`` value means standard output: absent, ``-``, or ``/dev/stdout`` (whose
    rename would replace the file a shell redirected stdout to, losing what was already there)."""
    return output is None or str(output) == STDOUT or os.path.abspath(output) in _STDOUT_NAMES


def input_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files a command reads from ``paths``: files as given, and the data files inside folders."""
    from .loader import expand_paths

    files: list[Path] = []
    for path in paths:
        try:
            files += expand_paths([path])
        except GcmgraphError:  # a missing path is the command's own error to report
            files.append(Path(path))
    return files


def check_output(output: str | Path, inputs: Iterable[Path | str] = ()) -> Path:
    """The output file ``output`` names, once it is known that gcmgraph may write it.

    Called before a command does its work (so a refusal comes at once) and again just before the
    file is written.
    """
    target = Path(output)
    if any(
        _under(name, prefix) for name in (os.path.abspath(target), str(target.resolve())) for prefix in _DESCRIPTORS
    ):
        raise OutputFileError(target, "is an open file descriptor or a process file, not a file to replace; use -o -")
    if _is_input(target, inputs):
        raise OutputFileError(target, "is one of the command's inputs; choose another output file")
    _refuse_bundled(target, "output file")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise OutputFileError(target, f"cannot be written ({error.strerror or error})") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputFileError(target, next(reason for test, reason in _KINDS if test(mode)))
    _check_folder(target.resolve().parent, target)
    return target


def write_atomic(output: str | Path, content: bytes, inputs: Iterable[Path | str] = ()) -> None:
    """Write ``content`` to ``output`` through a synced temporary file and a rename."""
    target = check_output(output, inputs)
    resolved = target.resolve()
    folder = resolved.parent
    remove_stale_temporaries(folder)
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=_temp_prefix(resolved.name), suffix=".tmp")
    except OSError as error:
        raise OutputFileError(target, f"cannot be written ({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _mode_for(resolved))
        check_output(target, inputs)  # nothing became a device, pipe or input in the meantime
        os.replace(temp, resolved)
        _sync_folder(folder)
    except BaseException as error:
        Path(temp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputFileError(target, f"cannot be written ({error.strerror or error})") from None
        raise


def check_folder_output(output: str | Path) -> Path:
    """The folder ``output`` names, once it is known that a site build may replace it."""
    if str(output) == STDOUT:
        raise OutputFileError(output, "docs writes a folder of pages, not a stream; give a folder")
    target = Path(output)
    _refuse_bundled(target, "output folder")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputFileError(target, "is not a folder; give a new or empty folder, or an earlier site")
    if target.exists():
        _check_earlier_site(target)
    _check_folder(target.resolve().parent, target)
    return target


def write_folder(output: str | Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative POSIX path -> bytes) and the marker into a folder built beside
    ``output``, then swap it in; the folder it replaces held only files an earlier build wrote."""
    target = check_folder_output(output)
    resolved = target.resolve()
    parent = resolved.parent
    remove_stale_temporaries(parent)
    try:
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=_temp_prefix(resolved.name), suffix=".tmp"))
    except OSError as error:
        raise OutputFileError(target, f"cannot be written ({error.strerror or error})") from None
    try:
        staging.chmod(0o777 & ~_umask())
        manifest = {name: hashlib.sha256(files[name]).hexdigest() for name in sorted(files)}
        for name, content in [*sorted(files.items()), (SITE_MARKER, _marker(manifest))]:
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        check_folder_output(target)  # nothing was added to the old folder in the meantime
        _swap_in(staging, resolved)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise OutputFileError(target, f"cannot be written ({error.strerror or error})") from None
        raise


def _swap_in(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is moved aside first and removed
    only once the new folder is in place (put back if that fails)."""
    if not target.exists():
        os.replace(staging, target)
        return
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=_temp_prefix(target.name), suffix=".tmp"))
    os.replace(target, aside / "previous")
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(aside / "previous", target)
        aside.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove gcmgraph's own temporary files and folders in ``folder`` whose process has ended."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _TEMP.match(entry.name)
        if not found or _running(int(found.group(1))):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _temp_prefix(name: str) -> str:
    return f".{name[:100]}.gcmgraph-{os.getpid()}-"


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # a process of another user, or an id no process can have: leave it alone
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """An existing file keeps its permissions; a new one gets the ordinary ones (not mkstemp's 0600)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _is_input(target: Path, inputs: Iterable[Path | str]) -> bool:
    """Whether ``target`` is the same file as one of ``inputs`` (by path, or by device and inode)."""
    try:
        identity = os.stat(target)
    except OSError:
        identity = None
    resolved = target.resolve()
    for item in inputs:
        path = Path(item)
        if path.resolve() == resolved:
            return True
        if identity is not None:
            try:
                other = os.stat(path)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (identity.st_dev, identity.st_ino):
                return True
    return False


def _refuse_bundled(target: Path, what: str) -> None:
    resolved = target.resolve()
    for folder_name in ("ontology", "data", "queries"):
        bundled = (bundled_root() / folder_name).resolve()
        if resolved.is_relative_to(bundled):
            raise OutputFileError(target, f"is inside the bundled {folder_name}/ folder; choose another {what}")


def _check_folder(folder: Path, target: Path) -> None:
    if not folder.is_dir():
        raise OutputFileError(target, f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputFileError(target, f"cannot be written (folder {folder} is not writable)")


def _marker(manifest: Mapping[str, str]) -> bytes:
    body = {"written-by": "gcmgraph docs", "files": dict(manifest)}
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()


def _check_earlier_site(target: Path) -> None:
    """Refuse a folder unless it is empty or holds exactly the files its marker lists, unchanged."""
    found: list[str] = []
    folders: set[str] = set()
    for root, dirs, names in os.walk(target):
        here = Path(root).relative_to(target)
        folders.update((here / d).as_posix() for d in dirs)
        found += [(here / n).as_posix() for n in names]
        for d in dirs:
            if (Path(root) / d).is_symlink():
                found.append((here / d).as_posix())
    if not found and not folders:
        return
    manifest = _read_marker(target) if SITE_MARKER in found else None
    if manifest is None:
        raise OutputFileError(
            target,
            f"holds files gcmgraph did not write (no {SITE_MARKER} of an earlier gcmgraph docs); "
            "give a new or empty folder",
        )
    for name in sorted(found):
        if name == SITE_MARKER:
            continue
        path = target / name
        if name not in manifest or path.is_symlink() or not path.is_file():
            raise OutputFileError(path, "was not written by gcmgraph docs; move it, or give another folder")
        if hashlib.sha256(path.read_bytes()).hexdigest() != manifest[name]:
            raise OutputFileError(path, "has changed since gcmgraph docs wrote it; move it, or give another folder")
    written_folders = {p.as_posix() for name in manifest for p in Path(name).parents if p.as_posix() != "."}
    for name in sorted(folders - written_folders):
        raise OutputFileError(target / name, "was not written by gcmgraph docs; move it, or give another folder")


def _read_marker(target: Path) -> dict[str, str] | None:
    try:
        body = json.loads((target / SITE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = body.get("files") if isinstance(body, dict) and body.get("written-by") == "gcmgraph docs" else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return None
    return files
