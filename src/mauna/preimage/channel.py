"""Blocking byte I/O over file descriptors, pipes and binary files.

The pre-image and hint protocols run over two one-way streams per channel. A fault-proof VM (and
kona / op-program in native mode) hands the client four descriptors: hint read 3, hint write 4,
pre-image read 5, pre-image write 6; a host started by the VM sees its own ends under the same
numbers.

Reads loop over short reads (the spec lets a server return as little as it likes per ``read``);
writes loop over short writes. A descriptor in non-blocking mode (op-program sets it on the
client side) is waited on with ``select`` instead of failing. Every OS-level failure surfaces as
:class:`~mauna.preimage.errors.PreimageIOError`.
"""

from __future__ import annotations

import contextlib
import os
import select
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from mauna.preimage.errors import PreimageIOError

HINT_READ_FD = 3
HINT_WRITE_FD = 4
PREIMAGE_READ_FD = 5
PREIMAGE_WRITE_FD = 6

_CHUNK = 1 << 20


@runtime_checkable
class BinaryReadable(Protocol):
    """Anything with a binary ``read(n)`` (a raw or buffered file, ``io.BytesIO``)."""

    def read(self, size: int = -1, /) -> bytes | None: ...


@runtime_checkable
class BinaryWritable(Protocol):
    """Anything with a binary ``write(data)``; ``flush()`` is called when present."""

    def write(self, data: bytes, /) -> int | None: ...


Source = int | BinaryReadable
Sink = int | BinaryWritable


class Reader:
    """Blocking reader over a raw descriptor (``int``) or a binary file-like object."""

    __slots__ = ("_src",)

    def __init__(self, src: Source) -> None:
        if isinstance(src, bool) or not isinstance(src, int | BinaryReadable):
            raise TypeError(f"expected a file descriptor or a binary file, got {type(src).__name__}")
        self._src = src

    def _read_some(self, n: int, what: str) -> bytes:
        """Up to ``n`` bytes (at least one), or ``b""`` at end of stream."""
        src = self._src
        while True:
            try:
                if isinstance(src, int):
                    return os.read(src, n)
                chunk = src.read(n)
            except BlockingIOError:
                self._wait(what)
                continue
            except (OSError, ValueError) as exc:
                raise PreimageIOError(f"{what}: read failed: {exc}") from exc
            if chunk is None:  # non-blocking raw file with nothing ready
                self._wait(what)
                continue
            return bytes(chunk)

    def _wait(self, what: str) -> None:
        try:
            select.select([_fileno(self._src)], [], [])
        except (OSError, ValueError, AttributeError) as exc:
            raise PreimageIOError(f"{what}: cannot wait for input: {exc}") from exc

    def read_exact(self, n: int, what: str) -> bytes:
        """Exactly ``n`` bytes; end of stream before that raises :class:`PreimageIOError`."""
        out = self.read_exact_or_eof(n, what)
        if out is None:
            raise PreimageIOError(f"{what}: stream closed, expected {n} bytes")
        return out

    def read_exact_or_eof(self, n: int, what: str) -> bytes | None:
        """Exactly ``n`` bytes, or ``None`` if the stream ends cleanly before the first byte.

        A stream ending after some but not all of the ``n`` bytes raises :class:`PreimageIOError`.
        """
        if n == 0:
            return b""
        buf = bytearray()
        while len(buf) < n:
            chunk = self._read_some(min(n - len(buf), _CHUNK), what)
            if not chunk:
                if not buf:
                    return None
                raise PreimageIOError(f"{what}: stream closed after {len(buf)} of {n} bytes")
            buf += chunk
        return bytes(buf)


class Writer:
    """Blocking writer over a raw descriptor (``int``) or a binary file-like object."""

    __slots__ = ("_sink",)

    def __init__(self, sink: Sink) -> None:
        if isinstance(sink, bool) or not isinstance(sink, int | BinaryWritable):
            raise TypeError(f"expected a file descriptor or a binary file, got {type(sink).__name__}")
        self._sink = sink

    def write_all(self, data: bytes, what: str) -> None:
        """Write every byte of ``data`` (looping over short writes), then flush file objects."""
        view = memoryview(data)
        sink = self._sink
        try:
            while view:
                try:
                    if isinstance(sink, int):
                        written: int | None = os.write(sink, view)
                    else:
                        written = sink.write(bytes(view))
                except BlockingIOError:
                    self._wait(what)
                    continue
                if written is None:  # non-blocking raw file that accepted nothing
                    self._wait(what)
                    continue
                if written <= 0:
                    raise PreimageIOError(f"{what}: write made no progress")
                view = view[written:]
            flush = getattr(sink, "flush", None)
            if flush is not None:
                flush()
        except PreimageIOError:
            raise
        except (OSError, ValueError) as exc:
            raise PreimageIOError(f"{what}: write failed: {exc}") from exc

    def _wait(self, what: str) -> None:
        try:
            select.select([], [_fileno(self._sink)], [])
        except (OSError, ValueError, AttributeError) as exc:
            raise PreimageIOError(f"{what}: cannot wait for output: {exc}") from exc


def _fileno(obj: object) -> int:
    if isinstance(obj, int):
        return obj
    fileno = getattr(obj, "fileno", None)
    if fileno is None:
        raise PreimageIOError(f"{type(obj).__name__} would block and has no file descriptor to wait on")
    fd = fileno()
    if not isinstance(fd, int):
        raise PreimageIOError(f"{type(obj).__name__}.fileno() returned {type(fd).__name__}")
    return fd


@dataclass(frozen=True, slots=True)
class PipePair:
    """One side of a two-way channel: the descriptor it reads from and the one it writes to."""

    reader: int
    writer: int

    def close(self) -> None:
        """Close both descriptors (ignoring ones already closed)."""
        for fd in (self.reader, self.writer):
            with contextlib.suppress(OSError):
                os.close(fd)


def bidirectional_pipe() -> tuple[PipePair, PipePair]:
    """Two connected ends ``(client, host)`` built from two ``os.pipe()`` pairs."""
    try:
        host_read, client_write = os.pipe()
        client_read, host_write = os.pipe()
    except OSError as exc:
        raise PreimageIOError(f"cannot create pipes: {exc}") from exc
    return PipePair(client_read, client_write), PipePair(host_read, host_write)


def standard_hint_pipe() -> PipePair:
    """The hint channel at the standard descriptors (3 read, 4 write)."""
    return PipePair(HINT_READ_FD, HINT_WRITE_FD)


def standard_preimage_pipe() -> PipePair:
    """The pre-image channel at the standard descriptors (5 read, 6 write)."""
    return PipePair(PREIMAGE_READ_FD, PREIMAGE_WRITE_FD)
