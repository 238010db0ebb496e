"""A cache of built graphs that cannot lie: on-disk entries keyed on the sources' content, each
checked against its own manifest before use, built aside and renamed into place only when complete.

Where: ``$GCMGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/gcmgraph``, else ``~/.cache/gcmgraph``;
``GCMGRAPH_CACHE=0`` turns the cache off. Size: at most ``GCMGRAPH_CACHE_SIZE`` (bytes, or with a
K, M or G suffix; default 4G); when a new entry makes the total larger, the entries used longest
ago are removed first (never one in use, never the new one). Layout::

    CACHEDIR.TAG              marks the folder as a cache for backup tools
    stores/<key>/data/        one entry's files (an Oxigraph store)
    stores/<key>/MANIFEST     written last: each file's size and a digest of the small files
    building/<key>.<pid>.<n>/ an entry being built; renamed into stores/ only when complete
    locks/<key>               shared while an entry is used, exclusive while it is removed
    locks/<key>.build         exclusive while an entry is built (a second builder waits)
    digests                   remembered digests of big source files

Every file is fsync'd before the rename that publishes it. A manifest or digest file carries its
own length and SHA-256 in its first line. An entry's manifest holds each file's size and a digest
of their content (all of it for stores up to 16 MiB, each file's first and last 4 KiB beyond), checked
before every use: an entry whose manifest is missing or damaged, or whose files differ, is rebuilt
and reported, never read. Folders left in ``building/`` by a killed process are removed by the
next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar

from . import limits
from .errors import CacheError, UsageError

try:  # POSIX; elsewhere the cache works without locks (concurrent builds then simply race)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

FORMAT_VERSION = "2"
SIZE_ENV = "GCMGRAPH_CACHE_SIZE"
DEFAULT_SIZE = 4 * 1024**3
_KEY = re.compile(r"[0-9a-f]{64}")
_HEADER = re.compile(rb"gcmgraph-cache (\d+) (\d+) ([0-9a-f]{64})\n")
_WHOLE_STORE = 16 * 1024 * 1024
_EDGE = 4 * 1024
_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# A cache of gcmgraph (graph stores built from RDF files).\n"
T = TypeVar("T")


class CacheUnavailable(Exception):
    """The cache folder cannot be used (not writable, ...); the caller works without it."""


_notes: list[str] = []


def note(message: str) -> None:
    """Record something the user should read (a damaged entry that was rebuilt, a cache that could
    not be written); the CLI prints these after the command, whatever service opened the graph."""
    _notes.append(message)


def take_notes() -> list[str]:
    """The messages recorded since the last call, once each."""
    taken = list(_notes)
    _notes.clear()
    return taken


def cache_dir() -> Path | None:
    """The cache folder, or None when ``GCMGRAPH_CACHE=0`` turns the cache off."""
    if os.environ.get("GCMGRAPH_CACHE", "1") == "0":
        return None
    explicit = os.environ.get("GCMGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gcmgraph"


def size_limit() -> int:
    """The most bytes the cache may hold (``GCMGRAPH_CACHE_SIZE``: a number, or with K, M or G)."""
    text = os.environ.get(SIZE_ENV, "").strip()
    if not text:
        return DEFAULT_SIZE
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?", text, re.IGNORECASE)
    if not found:
        raise UsageError(f"{SIZE_ENV} {text!r}: give a size in bytes, or with K, M or G (e.g. 4G)")
    return int(float(found.group(1)) * 1024 ** " KMGT".index(found.group(2).upper() or " "))


def cache_key(kind: str, parts: Iterable[tuple[str, str]]) -> str:
    """A key from the kind of entry and the (name, content digest) of each input."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{kind}".encode())
    for name, content_digest in parts:
        digest.update(f"\0{name}\0{content_digest}".encode())
    return digest.hexdigest()


# -- files that carry their own length and digest --------------------------------------------------


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _stale_temporaries(path: Path) -> list[Path]:
    """Temporary files of ``path`` left by processes that no longer run (killed while writing)."""
    stale = []
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = temp.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            stale.append(temp)
    return stale


def write_checked(path: Path, payload: bytes) -> None:
    """Write ``payload`` whole (temporary file, fsync, rename) behind a line giving its length and
    digest; temporary files a killed writer left behind are removed first."""
    for stale in _stale_temporaries(path):
        stale.unlink(missing_ok=True)
    header = f"gcmgraph-cache {FORMAT_VERSION} {len(payload)} {hashlib.sha256(payload).hexdigest()}\n".encode()
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with temp.open("wb") as out:
            out.write(header + payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def read_checked(path: Path) -> bytes | None:
    """The payload of a file :func:`write_checked` wrote, or None if it is missing or damaged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header = _HEADER.match(raw)
    if header is None or header.group(1).decode() != FORMAT_VERSION:
        return None
    payload = raw[header.end() :]
    if len(payload) != int(header.group(2)) or hashlib.sha256(payload).hexdigest() != header.group(3).decode():
        return None
    return payload


# -- locks -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(path: Path, *, shared: bool = False, wait: bool = True, doing: str = "") -> Iterator[IO[bytes] | None]:
    """Hold a lock on ``path`` (yields None when ``wait`` is False and another process holds it).

    Waiting polls, so the command's deadline still applies (``limits.check``).
    """
    handle = path.open("ab")
    try:
        if fcntl is not None:
            mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
            while True:
                try:
                    fcntl.flock(handle, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait:
                        yield None
                        return
                    limits.check(doing or "waiting for another gcmgraph")
                    time.sleep(0.05)
        yield handle
    finally:
        handle.close()


# -- entries ---------------------------------------------------------------------------------------


class Opened:
    """An entry in use: the value its opener returned, the builder's info, and what to report."""

    def __init__(
        self, value: Any, info: dict[str, Any], warnings: tuple[str, ...], folder: Path, lock: IO[bytes] | None
    ):
        self.value, self.info, self.warnings, self.folder, self.lock = value, info, warnings, folder, lock

    def release(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None


def _folders(root: Path) -> tuple[Path, Path, Path]:
    return root / "stores", root / "building", root / "locks"


def _prepare(root: Path) -> None:
    try:
        for folder in _folders(root):
            folder.mkdir(parents=True, exist_ok=True)
        tag = root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_bytes(_TAG)
    except OSError as error:
        raise CacheUnavailable(f"cache folder {root} cannot be written ({error.strerror or error})") from None


def _files(data: Path) -> dict[str, int]:
    return {p.relative_to(data).as_posix(): p.stat().st_size for p in sorted(data.rglob("*")) if p.is_file()}


def _content_digest(data: Path, files: dict[str, int]) -> str:
    """Digest of every file's name and size and of its content: all of it for a store of up to
    16 MiB (the bundled graph's is about 2), the first and last 4 KiB of each file of a bigger one
    (where a truncation, an emptied file or a damaged header or footer shows), so checking costs
    a few milliseconds at any size."""
    digest = hashlib.sha256()
    whole = sum(files.values()) <= _WHOLE_STORE
    folder = str(data)
    for name, size in sorted(files.items()):
        digest.update(f"{name}\0{size}\0".encode())
        with open(os.path.join(folder, name), "rb") as handle:
            if whole or size <= 2 * _EDGE:
                digest.update(handle.read())
            else:
                digest.update(handle.read(_EDGE))
                handle.seek(-_EDGE, os.SEEK_END)
                digest.update(handle.read(_EDGE))
    return digest.hexdigest()


def _check(entry: Path, key: str) -> tuple[dict[str, Any] | None, str | None]:
    """The entry's manifest, and why the entry cannot be trusted (None if its files are what the
    manifest says)."""
    if not entry.exists():
        return None, "missing"
    payload = read_checked(entry / "MANIFEST")
    if payload is None:
        return None, "its manifest is missing or damaged"
    try:
        manifest = json.loads(payload)
        files: dict[str, int] = manifest["files"]
        if manifest["key"] != key:
            return None, "its manifest belongs to another entry"
        data = entry / "data"
        folder = str(data)
        for name, size in files.items():
            found = os.stat(os.path.join(folder, name)).st_size
            if found != size:
                return None, f"file {name} has {found} bytes, the manifest says {size}"
        if _content_digest(data, files) != manifest["digest"]:
            return None, "its files differ from the manifest"
    except FileNotFoundError as error:
        return None, f"file {Path(error.filename).name} is missing"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return None, f"it cannot be read ({error})"
    return manifest, None


def _discard(entry: Path) -> None:
    """Move an entry aside (one atomic rename, so no reader sees it half removed), then delete it."""
    aside = entry.parent.parent / "building" / f"{entry.name}.removed.{os.urandom(4).hex()}"
    with contextlib.suppress(FileNotFoundError):
        os.rename(entry, aside)
        shutil.rmtree(aside, ignore_errors=True)


def _publish(temp: Path, entry: Path, key: str, info: dict[str, Any]) -> None:
    """fsync the built files, write the manifest last, and rename the folder into place."""
    data = temp / "data"
    files = _files(data)
    for name in files:
        with (data / name).open("rb") as handle:
            os.fsync(handle.fileno())
    for folder in (data, temp):
        _fsync_folder(folder)
    manifest = {"key": key, "files": files, "digest": _content_digest(data, files), "info": info}
    write_checked(temp / "MANIFEST", json.dumps(manifest, sort_keys=True).encode())
    _discard(entry)  # a damaged entry in the way
    os.rename(temp, entry)
    _fsync_folder(entry.parent)


def _remove_stale_builds(root: Path, own_key: str) -> None:
    """Remove folders in building/ whose builder is gone (its build lock is free)."""
    _, building, locks = _folders(root)
    for folder in building.iterdir():
        key = folder.name.split(".", 1)[0]
        if key == own_key:  # this process holds that key's build lock: any such folder is stale
            shutil.rmtree(folder, ignore_errors=True)
            continue
        if not _KEY.fullmatch(key):
            continue
        with _locked(locks / f"{key}.build", wait=False) as held:
            if held is not None:
                shutil.rmtree(folder, ignore_errors=True)


def open_entry(
    key: str, build: Callable[[Path], dict[str, Any]], opener: Callable[[Path], T], *, describe: str
) -> Opened | None:
    """The entry ``key`` opened by ``opener(data folder)``, built first by ``build(data folder)``
    (which returns the info kept in the manifest) if it is missing or cannot be trusted.

    Returns None when the cache is off. Raises :class:`CacheUnavailable` when the cache folder
    cannot be written. The entry stays locked against removal until ``release()``.
    """
    root = cache_dir()
    if root is None:
        return None
    size_limit()  # a bad setting is a usage error before any work, not after it
    _prepare(root)
    stores, _, locks = _folders(root)
    entry = stores / key
    try:
        use = (locks / key).open("ab")
    except OSError as error:
        raise CacheUnavailable(f"cache folder {root} cannot be written ({error.strerror or error})") from None
    if fcntl is not None:
        fcntl.flock(use, fcntl.LOCK_SH)  # only a removal takes it exclusively, and never waits for it
    warnings: list[str] = []

    def damaged(problem: str) -> None:
        if not warnings:
            warnings.append(f"cache entry {key[:12]} for {describe} was damaged ({problem}); rebuilt")
            note(warnings[-1])

    building_lock = locks / f"{key}.build"
    try:
        for _attempt in range(2):
            manifest, problem = _check(entry, key)
            if problem is not None:
                with _locked(building_lock, doing=f"waiting for another gcmgraph to build {describe}"):
                    manifest, problem = _check(entry, key)  # another process may have built it meanwhile
                    if problem is not None:
                        if problem != "missing":
                            damaged(problem)
                        try:
                            _build_entry(root, key, build)
                        except OSError as error:
                            reason = error.strerror or str(error)
                            raise CacheUnavailable(f"cache entry cannot be written ({reason})") from None
                        manifest, problem = _check(entry, key)
            if manifest is None:
                break
            try:
                value = opener(entry / "data")
            except (OSError, RuntimeError) as error:  # the store refuses its files: damage the manifest missed
                damaged(f"the store cannot be opened: {short_reason(error)}")
                with _locked(building_lock, doing=f"rebuilding {describe}"):
                    _discard(entry)
                continue
            with contextlib.suppress(OSError):
                os.utime(entry)  # last use, for oldest-first eviction
            return Opened(value, manifest["info"], tuple(warnings), entry / "data", use)
        raise CacheError(
            f"cache entry {key[:12]} for {describe} cannot be built and opened; run 'gcmgraph cache clear'"
        )
    except BaseException:
        use.close()
        raise


def short_reason(error: BaseException) -> str:
    """The first clause of a storage error (RocksDB's messages run on with file offsets)."""
    return str(error).split("  ")[0].strip()


def _build_entry(root: Path, key: str, build: Callable[[Path], dict[str, Any]]) -> None:
    """Build an entry in building/ and rename it into stores/; then keep the cache within its size."""
    stores, building, _ = _folders(root)
    _remove_stale_builds(root, key)
    temp = building / f"{key}.{os.getpid()}.{os.urandom(4).hex()}"
    temp.mkdir()
    with limits.removed_on_timeout(temp):
        try:
            info = build(temp / "data")
            _publish(temp, stores / key, key, info)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    evict(keep=key)


# -- size, listing and clearing --------------------------------------------------------------------


class EntryInfo(NamedTuple):
    key: str
    size: int
    last_used: float
    describe: str
    problem: str | None


class CacheInfo(NamedTuple):
    location: Path | None
    entries: tuple[EntryInfo, ...]
    other_bytes: int
    limit: int

    @property
    def total(self) -> int:
        return sum(e.size for e in self.entries) + self.other_bytes


def _tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _entries(root: Path) -> list[EntryInfo]:
    stores = _folders(root)[0]
    found = []
    for entry in stores.iterdir() if stores.is_dir() else ():
        if not _KEY.fullmatch(entry.name) or not entry.is_dir():
            continue
        manifest, problem = _check(entry, entry.name)
        files = manifest["files"] if manifest else {}
        size = sum(files.values()) if files else _tree_size(entry)
        described = manifest["info"].get("describe", "?") if manifest else "?"
        found.append(EntryInfo(entry.name, size, entry.stat().st_mtime, str(described), problem))
    return sorted(found, key=lambda e: e.last_used)


def _own_loose_files(root: Path) -> list[Path]:
    """Files gcmgraph wrote outside entries: the digest memo, the tag, the format-1 N-Quads entries."""
    loose = [root / "digests", root / "CACHEDIR.TAG", *_stale_temporaries(root / "digests")]
    loose += [p for p in root.glob("*.nq") if _KEY.fullmatch(p.stem)]
    loose += [p for p in root.glob("tmp*.tmp")]
    return [p for p in loose if p.is_file()]


def info() -> CacheInfo:
    """Where the cache is, what it holds and its size limit (for ``gcmgraph cache info``)."""
    root = cache_dir()
    if root is None or not root.is_dir():
        return CacheInfo(root, (), 0, size_limit())
    building = _folders(root)[1]
    other = sum(_tree_size(p) for p in _own_loose_files(root))
    other += sum(_tree_size(p) for p in building.iterdir()) if building.is_dir() else 0
    return CacheInfo(root, tuple(_entries(root)), other, size_limit())


def _remove_entry(root: Path, key: str) -> bool:
    """Remove one entry unless a process is using it; True if removed."""
    stores, _, locks = _folders(root)
    with _locked(locks / key, wait=False) as held:
        if held is None:
            return False
        _discard(stores / key)
    return True


def evict(keep: str | None = None) -> list[str]:
    """Remove the entries used longest ago until the cache is within its size; return their keys."""
    root = cache_dir()
    if root is None or not root.is_dir():
        return []
    entries = _entries(root)
    total = sum(e.size for e in entries)
    removed = []
    for entry in entries:
        if total <= size_limit():
            break
        if entry.key != keep and _remove_entry(root, entry.key):
            total -= entry.size
            removed.append(entry.key)
    return removed


class Cleared(NamedTuple):
    removed: int
    freed: int
    in_use: int


def clear() -> Cleared:
    """Remove gcmgraph's own entries and files from the cache folder (nothing else in it), except
    entries a running gcmgraph is using."""
    root = cache_dir()
    if root is None or not root.is_dir():
        return Cleared(0, 0, 0)
    stores, building, locks = _folders(root)
    removed = freed = in_use = 0
    try:
        for entry in _entries(root):
            if _remove_entry(root, entry.key):
                removed, freed = removed + 1, freed + entry.size
            else:
                in_use += 1
        if building.is_dir():
            _remove_stale_builds(root, own_key="")
        for path in _own_loose_files(root):
            freed += path.stat().st_size
            path.unlink()
            removed += path.suffix == ".nq"
        for lock in locks.iterdir() if locks.is_dir() else ():
            key = lock.name.removesuffix(".build")
            if _KEY.fullmatch(key) and not (stores / key).exists():
                with _locked(lock, wait=False) as held:
                    if held is not None:
                        lock.unlink()
        for folder in (stores, building, locks):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
    except OSError as error:
        raise CacheError(f"cache folder {root} cannot be cleared ({error.strerror or error})") from None
    return Cleared(removed, freed, in_use)


# -- remembered digests of big files ---------------------------------------------------------------

_MEMO_ENTRIES = 10_000


def _identity(stat: os.stat_result) -> list[int]:
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


class DigestMemo:
    """Digests of big source files, remembered by file identity (device, inode, size, modification
    and change times), so an unchanged file is not read again. Read once, written once."""

    def __init__(self) -> None:
        root = cache_dir()
        self._path = root / "digests" if root is not None else None
        payload = read_checked(self._path) if self._path is not None else None
        try:
            table = json.loads(payload) if payload is not None else {}
        except ValueError:
            table = {}
        self._table: dict[str, list[Any]] = table if isinstance(table, dict) else {}
        self._changed = False

    def get(self, path: Path, stat: os.stat_result) -> str | None:
        """The digest remembered for this file if it is still the same file, unchanged since."""
        found = self._table.get(os.path.realpath(path))
        if isinstance(found, list) and len(found) == 6 and found[:5] == _identity(stat):
            return str(found[5])
        return None

    def put(self, path: Path, stat: os.stat_result, digest: str, started: float) -> None:
        """Remember a digest, unless the file changed less than a second before it was read (a later
        change within the same clock tick could then go unseen)."""
        if self._path is None or max(stat.st_mtime, stat.st_ctime) > started - 1:
            return
        key = os.path.realpath(path)
        self._table.pop(key, None)
        self._table[key] = [*_identity(stat), digest]
        while len(self._table) > _MEMO_ENTRIES:
            self._table.pop(next(iter(self._table)))
        self._changed = True

    def save(self) -> None:
        if not self._changed or self._path is None:
            return
        try:
            _prepare(self._path.parent)
            write_checked(self._path, json.dumps(self._table).encode())
        except (OSError, CacheUnavailable):
            pass  # a digest that is not remembered is computed again next time
        self._changed = False
