"""Wire-test helpers: a joined background thread, connected pipes, exact reads."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from mauna.preimage.channel import bidirectional_pipe

JOIN_TIMEOUT = 10.0


class Background:
    """Runs ``fn`` in a thread; ``join()`` returns its result or re-raises its exception."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException as exc:
            self.error = exc

    def join(self) -> Any:
        self._thread.join(JOIN_TIMEOUT)
        assert not self._thread.is_alive(), "background side did not finish"
        if self.error is not None:
            raise self.error
        return self.result


class Pipes:
    """Two connected ends plus helpers to close one direction."""

    def __init__(self) -> None:
        self.client, self.host = bidirectional_pipe()
        self._closed: set[int] = set()

    def close(self, fd: int) -> None:
        if fd not in self._closed:
            self._closed.add(fd)
            os.close(fd)

    def close_all(self) -> None:
        for fd in (self.client.reader, self.client.writer, self.host.reader, self.host.writer):
            self.close(fd)


def read_exact(fd: int, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        assert chunk, f"stream closed after {len(buf)} of {n} bytes"
        buf += chunk
    return buf
