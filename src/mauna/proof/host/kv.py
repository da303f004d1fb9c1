"""Host-side key-value stores of pre-images, keyed by the 32-byte pre-image key.

- :class:`MemoryKeyValueStore`: a dict.
- :class:`DiskKeyValueStore`: one file per pre-image in op-program's ``file`` layout
  (``0x<key hex>.txt`` holding the value as lower-case hex, plus a ``kvformat`` marker), so a data
  directory can be shared with op-program. Writes are crash-safe: the value goes to a temporary
  file in the same directory, is fsynced, then atomically renamed into place; a pre-image is
  visible only once fully written, and a leftover temporary file is never read as a value.
- :class:`LocalKeyValueStore`: the read-only boot inputs (local keys).
- :class:`SplitKeyValueStore`: local keys to one store, every other key to another (kona-host's
  ``SplitKeyValueStore``, op-program's ``PreimageSourceSplitter``).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from mauna.errors import ProofError
from mauna.preimage.errors import PreimageNotFoundError
from mauna.preimage.keys import (
    DEPENDENCY_SET_KEY,
    KEY_SIZE,
    L1_CONFIG_KEY,
    L1_HEAD_KEY,
    L2_CHAIN_ID_KEY,
    L2_CLAIM_BLOCK_NUMBER_KEY,
    L2_CLAIM_KEY,
    L2_OUTPUT_ROOT_KEY,
    L2_ROLLUP_CONFIG_KEY,
    MAX_UINT64,
    OP_PROGRAM_DEPENDENCY_SET_KEY,
    OP_PROGRAM_L1_CHAIN_CONFIG_KEY,
    OP_PROGRAM_L2_CHAIN_CONFIG_KEY,
    OP_PROGRAM_ROLLUP_CONFIG_KEY,
    PreimageKey,
    PreimageKeyType,
)
from mauna.preimage.oracle import PreimageFetcher
from mauna.preimage.verify import verify_preimage

KeyLike = bytes | PreimageKey

KV_FORMAT_FILE = "kvformat"
KV_FORMAT = "file"
_VALUE_FILE_RE = re.compile(r"0x([0-9a-f]{64})\.txt")
_TEMP_PREFIX = ".tmp-"


class KeyValueStoreError(ProofError):
    """A pre-image store cannot be read or written, or holds a malformed entry."""


@runtime_checkable
class KeyValueStore(Protocol):
    """A store of pre-images by 32-byte key."""

    def get(self, key: KeyLike) -> bytes | None: ...

    def set(self, key: KeyLike, value: bytes) -> None: ...


@runtime_checkable
class IterableKeyValueStore(KeyValueStore, Protocol):
    """A store that can also list its keys."""

    def iter_keys(self) -> Iterator[bytes]: ...


def key_bytes(key: KeyLike) -> bytes:
    """The 32-byte form of a key given as a :class:`PreimageKey` or raw bytes."""
    if isinstance(key, PreimageKey):
        return key.encode()
    if isinstance(key, bytes | bytearray | memoryview) and len(key) == KEY_SIZE:
        return bytes(key)
    raise KeyValueStoreError(f"pre-image store key must be a PreimageKey or 32 bytes, got {key!r:.80}")


def _value_bytes(value: bytes) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise KeyValueStoreError(f"pre-image store value must be bytes, got {type(value).__name__}")
    return bytes(value)


class MemoryKeyValueStore:
    """An in-memory store."""

    def __init__(self, entries: Mapping[KeyLike, bytes] | None = None) -> None:
        self._data: dict[bytes, bytes] = {}
        self._lock = threading.Lock()
        for k, v in (entries or {}).items():
            self.set(k, v)

    def get(self, key: KeyLike) -> bytes | None:
        return self._data.get(key_bytes(key))

    def set(self, key: KeyLike, value: bytes) -> None:
        k, v = key_bytes(key), _value_bytes(value)
        with self._lock:
            self._data[k] = v

    def iter_keys(self) -> Iterator[bytes]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)


class DiskKeyValueStore:
    """A directory of pre-image files in op-program's ``file`` layout, written crash-safely."""

    def __init__(self, directory: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self._dir = Path(directory)
        self._fsync = fsync
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KeyValueStoreError(f"cannot create pre-image directory {self._dir}: {exc}") from exc
        self._check_format()

    @property
    def directory(self) -> Path:
        return self._dir

    def _check_format(self) -> None:
        marker = self._dir / KV_FORMAT_FILE
        try:
            recorded = marker.read_text().strip()
        except FileNotFoundError:
            self._write_atomic(marker, KV_FORMAT.encode(), "kvformat marker")
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyValueStoreError(f"cannot read {marker}: {exc}") from exc
        if recorded != KV_FORMAT:
            raise KeyValueStoreError(
                f"pre-image directory {self._dir} holds format {recorded!r}; only {KV_FORMAT!r} is supported"
            )

    def path_of(self, key: KeyLike) -> Path:
        """File holding the value of ``key``."""
        return self._dir / f"0x{key_bytes(key).hex()}.txt"

    def get(self, key: KeyLike) -> bytes | None:
        path = self.path_of(key)
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyValueStoreError(f"cannot read pre-image file {path}: {exc}") from exc
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise KeyValueStoreError(f"pre-image file {path} does not hold hex: {exc}") from exc

    def set(self, key: KeyLike, value: bytes) -> None:
        path = self.path_of(key)
        self._write_atomic(path, _value_bytes(value).hex().encode("ascii"), f"pre-image {path.name}")

    def _write_atomic(self, path: Path, content: bytes, what: str) -> None:
        try:
            fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=_TEMP_PREFIX + path.name + ".")
        except OSError as exc:
            raise KeyValueStoreError(f"cannot create a temporary file for {what}: {exc}") from exc
        try:
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view) :]
                if self._fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise KeyValueStoreError(f"cannot write {what} to {self._dir}: {exc}") from exc
        if self._fsync:
            self._fsync_dir()

    def _fsync_dir(self) -> None:
        try:
            dfd = os.open(self._dir, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass  # some file systems cannot fsync a directory; the rename is still atomic
        finally:
            os.close(dfd)

    def iter_keys(self) -> Iterator[bytes]:
        """Keys of every complete value file (temporary files are skipped)."""
        try:
            names = sorted(e.name for e in os.scandir(self._dir) if e.is_file())
        except OSError as exc:
            raise KeyValueStoreError(f"cannot list pre-image directory {self._dir}: {exc}") from exc
        for name in names:
            m = _VALUE_FILE_RE.fullmatch(name)
            if m is not None:
                yield bytes.fromhex(m.group(1))


class LocalKeyValueStore:
    """Read-only boot inputs, served for local keys by index."""

    def __init__(self, entries: Mapping[int, bytes]) -> None:
        self._entries = {int(i): _value_bytes(v) for i, v in entries.items()}

    @classmethod
    def from_boot_info(
        cls,
        *,
        l1_head: bytes,
        agreed_l2_output_root: bytes,
        claimed_l2_output_root: bytes,
        claimed_l2_block_number: int,
        l2_chain_id: int,
        rollup_config: bytes | None = None,
        l1_config: bytes | None = None,
        dependency_set: bytes | None = None,
        l2_chain_config: bytes | None = None,
        layout: Literal["kona", "op-program"] = "kona",
    ) -> LocalKeyValueStore:
        """The boot inputs in the encoding kona-host and op-program's host use.

        Hashes are 32 bytes; the block number and chain id are ``uint64`` big-endian; the
        configurations are JSON bytes. ``layout`` picks the index numbering of the custom-chain
        configurations (see :mod:`mauna.preimage.keys`); ``l2_chain_config`` exists only in
        op-program's.
        """
        for name, h in (
            ("l1_head", l1_head),
            ("agreed_l2_output_root", agreed_l2_output_root),
            ("claimed_l2_output_root", claimed_l2_output_root),
        ):
            if not isinstance(h, bytes | bytearray) or len(h) != 32:
                raise KeyValueStoreError(f"boot input {name} must be 32 bytes")
        for name, n in (("claimed_l2_block_number", claimed_l2_block_number), ("l2_chain_id", l2_chain_id)):
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_UINT64:
                raise KeyValueStoreError(f"boot input {name} must be a uint64, got {n!r}")
        entries: dict[int, bytes] = {
            L1_HEAD_KEY: bytes(l1_head),
            L2_OUTPUT_ROOT_KEY: bytes(agreed_l2_output_root),
            L2_CLAIM_KEY: bytes(claimed_l2_output_root),
            L2_CLAIM_BLOCK_NUMBER_KEY: claimed_l2_block_number.to_bytes(8, "big"),
            L2_CHAIN_ID_KEY: l2_chain_id.to_bytes(8, "big"),
        }
        if layout == "kona":
            if l2_chain_config is not None:
                raise KeyValueStoreError("kona's local keys have no L2 chain config entry")
            optional = {
                L2_ROLLUP_CONFIG_KEY: rollup_config,
                L1_CONFIG_KEY: l1_config,
                DEPENDENCY_SET_KEY: dependency_set,
            }
        elif layout == "op-program":
            optional = {
                OP_PROGRAM_L2_CHAIN_CONFIG_KEY: l2_chain_config,
                OP_PROGRAM_ROLLUP_CONFIG_KEY: rollup_config,
                OP_PROGRAM_DEPENDENCY_SET_KEY: dependency_set,
                OP_PROGRAM_L1_CHAIN_CONFIG_KEY: l1_config,
            }
        else:
            raise KeyValueStoreError(f"unknown local key layout {layout!r}")
        entries.update({i: v for i, v in optional.items() if v is not None})
        return cls(entries)

    def get(self, key: KeyLike) -> bytes | None:
        raw = key_bytes(key)
        if raw[0] != PreimageKeyType.LOCAL:
            return None
        return self._entries.get(int.from_bytes(raw[1:], "big"))

    def set(self, key: KeyLike, value: bytes) -> None:
        raise KeyValueStoreError(f"boot inputs are read-only (key 0x{key_bytes(key).hex()})")

    def iter_keys(self) -> Iterator[bytes]:
        for index in sorted(self._entries):
            yield bytes((PreimageKeyType.LOCAL,)) + index.to_bytes(31, "big")


class SplitKeyValueStore:
    """Local keys go to ``local`` (the boot inputs), every other key to ``remote``."""

    def __init__(self, local: KeyValueStore, remote: KeyValueStore) -> None:
        self.local = local
        self.remote = remote

    def _route(self, key: KeyLike) -> KeyValueStore:
        return self.local if key_bytes(key)[0] == PreimageKeyType.LOCAL else self.remote

    def get(self, key: KeyLike) -> bytes | None:
        return self._route(key).get(key)

    def set(self, key: KeyLike, value: bytes) -> None:
        self._route(key).set(key, value)

    def iter_keys(self) -> Iterator[bytes]:
        for store in (self.local, self.remote):
            if not isinstance(store, IterableKeyValueStore):
                raise KeyValueStoreError(f"{type(store).__name__} cannot list its keys")
            for k in store.iter_keys():
                if (k[0] == PreimageKeyType.LOCAL) == (store is self.local):
                    yield k


def store_fetcher(kv: KeyValueStore) -> PreimageFetcher:
    """A fetcher for :class:`~mauna.preimage.oracle.OracleServer` over a store (missing → error)."""

    def fetch(key: PreimageKey) -> bytes:
        value = kv.get(key)
        if value is None:
            raise PreimageNotFoundError(key)
        return value

    return fetch


def verify_store(kv: IterableKeyValueStore) -> int:
    """Check every entry of ``kv`` against its key; returns how many entries were checked.

    Raises :class:`~mauna.preimage.errors.PreimageMismatchError` for the first bad entry and
    :class:`~mauna.preimage.errors.PreimageKeyError` for a key with an unknown type byte.
    """
    checked = 0
    for raw in kv.iter_keys():
        key = PreimageKey.decode(raw)
        value = kv.get(raw)
        if value is None:
            raise KeyValueStoreError(f"key {key} is listed but has no value")
        verify_preimage(key, value)
        checked += 1
    return checked
