"""Shared HTTP plumbing of the online providers: the retry policy and an LRU cache.

Transient failures (connection errors, timeouts, HTTP 429 and 5xx) are retried with exponential
backoff; everything else is reported at once. The backoff sleeps with :func:`anyio.sleep`, so the
clients run under asyncio and trio alike.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

K = TypeVar("K")
V = TypeVar("V")

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``retries`` extra attempts after the first, waiting ``backoff * 2**attempt`` (capped) between."""

    retries: int = 4
    backoff: float = 0.1
    max_backoff: float = 4.0

    def delay(self, attempt: int) -> float:
        return min(self.backoff * (2**attempt), self.max_backoff)

    async def wait(self, attempt: int) -> None:
        delay = self.delay(attempt)
        if delay > 0:
            await anyio.sleep(delay)


NO_RETRY = RetryPolicy(retries=0, backoff=0.0)


def is_transient_status(status: int) -> bool:
    return status in TRANSIENT_STATUS or 500 <= status < 600


class LruCache(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is None:
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: K, value: V) -> None:
        if self.capacity <= 0:
            return
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()
