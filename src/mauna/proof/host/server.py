"""The host side of a run: answers hints and pre-image requests on two channels, in threads.

Spec: fault-proof/index.md "Hinting" and "Pre-image communication". :class:`HostServer` runs the
hint router (each hint acknowledged after it was handled) and the oracle server (pre-images from
a key-value store, local keys from the boot inputs). :func:`run_native` starts the client as a
child process with its channel ends at descriptors 3-6, as kona-host / op-program ``--native``
do, serves it, and returns the child's exit code.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

import structlog

from mauna.preimage.channel import (
    HINT_READ_FD,
    HINT_WRITE_FD,
    PREIMAGE_READ_FD,
    PREIMAGE_WRITE_FD,
    PipePair,
    bidirectional_pipe,
)
from mauna.preimage.errors import PreimageIOError, PreimageNotFoundError
from mauna.preimage.hints import HintReader
from mauna.preimage.keys import PreimageKey
from mauna.preimage.oracle import OracleServer
from mauna.proof.host.kv import KeyValueStore

log = structlog.get_logger(__name__)

HintHandler = Callable[[str, bytes], None]
"""Handles one hint (fetches and stores what it names); errors are logged and the hint acked."""

CLIENT_MODULE = "mauna.proof.client"


@dataclass
class HostStats:
    """What a host served."""

    hints: int = 0
    hint_errors: int = 0
    preimages: int = 0
    missing: list[str] = field(default_factory=list)


class HostServer:
    """Serves one client over a hint channel and a pre-image channel until it disconnects."""

    def __init__(
        self,
        kv: KeyValueStore,
        hint_pipe: PipePair,
        preimage_pipe: PipePair,
        *,
        hint_handler: HintHandler | None = None,
        fetch_missing: Callable[[PreimageKey], bytes | None] | None = None,
    ) -> None:
        self.kv = kv
        self.hint_pipe = hint_pipe
        self.preimage_pipe = preimage_pipe
        self.hint_handler = hint_handler
        self.fetch_missing = fetch_missing
        self.stats = HostStats()
        self._threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    # -- handlers --------------------------------------------------------------------------------
    def _route(self, hint_type: str, data: bytes) -> None:
        self.stats.hints += 1
        if self.hint_handler is not None:
            self.hint_handler(hint_type, data)

    def _on_hint_error(self, exc: Exception) -> None:
        self.stats.hint_errors += 1
        log.warning("hint not handled", error_type=type(exc).__name__, error=str(exc))

    def _fetch(self, key: PreimageKey) -> bytes:
        value = self.kv.get(key)
        if value is None and self.fetch_missing is not None:
            value = self.fetch_missing(key)
        if value is None:
            self.stats.missing.append(key.hex())
            raise PreimageNotFoundError(key)
        self.stats.preimages += 1
        return value

    # -- threads ---------------------------------------------------------------------------------
    def _serve_hints(self) -> None:
        reader = HintReader(self.hint_pipe.reader, self.hint_pipe.writer, self._route)
        try:
            reader.serve_forever(on_error=self._on_hint_error)
        except PreimageIOError as exc:
            log.debug("hint channel closed", error=str(exc))
        finally:
            self.hint_pipe.close()

    def _serve_preimages(self) -> None:
        server = OracleServer(self.preimage_pipe.reader, self.preimage_pipe.writer, self._fetch)
        try:
            server.serve_forever()
        except PreimageNotFoundError as exc:
            # Nothing can be served for this key: close the channel so the client fails loudly
            # instead of waiting forever.
            log.error("pre-image not available; closing the oracle channel", key=exc.key.hex())
            self.errors.append(exc)
        except PreimageIOError as exc:
            log.debug("oracle channel closed", error=str(exc))
        except Exception as exc:  # a store or fetch failure: same treatment, keep the cause
            log.error("oracle server failed", error_type=type(exc).__name__, error=str(exc))
            self.errors.append(exc)
        finally:
            self.preimage_pipe.close()

    def start(self) -> None:
        for target, name in ((self._serve_hints, "hints"), (self._serve_preimages, "preimages")):
            thread = threading.Thread(target=target, name=f"mauna-host-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self, timeout: float | None = None) -> None:
        for thread in self._threads:
            thread.join(timeout)


@dataclass(frozen=True, slots=True)
class NativeRun:
    """The outcome of a native run."""

    exit_code: int
    seconds: float
    stats: HostStats
    max_rss_kib: int


def _high_dup(fd: int) -> int:
    """A copy of ``fd`` numbered above the standard descriptors (and not inherited)."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)


def spawn_client(
    hint_client: PipePair,
    preimage_client: PipePair,
    command: Sequence[str] | None = None,
    *,
    env: dict[str, str] | None = None,
    stderr: IO[bytes] | int | None = None,
) -> subprocess.Popen[bytes]:
    """Start the client with ``hint_client`` at descriptors 3/4 and ``preimage_client`` at 5/6."""
    command = list(command or [sys.executable, "-m", CLIENT_MODULE])
    sources = [_high_dup(fd) for fd in (hint_client.reader, hint_client.writer)]
    sources += [_high_dup(fd) for fd in (preimage_client.reader, preimage_client.writer)]
    targets = (HINT_READ_FD, HINT_WRITE_FD, PREIMAGE_READ_FD, PREIMAGE_WRITE_FD)

    def arrange() -> None:  # runs in the child between fork and exec
        for src, dst in zip(sources, targets, strict=True):
            os.dup2(src, dst)

    try:
        return subprocess.Popen(command, pass_fds=targets, preexec_fn=arrange, env=env, stderr=stderr)
    finally:
        for fd in sources:
            os.close(fd)


def run_native(
    kv: KeyValueStore,
    *,
    hint_handler: HintHandler | None = None,
    fetch_missing: Callable[[PreimageKey], bytes | None] | None = None,
    command: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    stderr: IO[bytes] | int | None = None,
) -> NativeRun:
    """Run the client as a child process against ``kv``; returns its exit code and the host's stats."""
    hint_client, hint_host = bidirectional_pipe()
    preimage_client, preimage_host = bidirectional_pipe()
    started = time.perf_counter()
    try:
        child = spawn_client(hint_client, preimage_client, command, env=env, stderr=stderr)
    finally:
        hint_client.close()
        preimage_client.close()
    server = HostServer(kv, hint_host, preimage_host, hint_handler=hint_handler, fetch_missing=fetch_missing)
    server.start()
    try:
        code = child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        raise
    finally:
        server.join(5.0)
        with contextlib.suppress(OSError):
            hint_host.close()
            preimage_host.close()
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    log.info(
        "client exited",
        exit_code=code,
        seconds=round(seconds, 2),
        hints=server.stats.hints,
        preimages=server.stats.preimages,
    )
    return NativeRun(code, seconds, server.stats, rss)
