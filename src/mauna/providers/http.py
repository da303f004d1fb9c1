"""Shared HTTP plumbing of the online providers: the retry policy and loop, one JSON request, and
an LRU cache.

Transient failures (connection errors, timeouts, HTTP 429 and 5xx) are retried with exponential
backoff; everything else is reported at once. The backoff sleeps with :func:`anyio.sleep`, so the
clients run under asyncio and trio alike.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio
import httpx

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

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


class Retry(Exception):
    """This attempt failed in a way worth retrying; ``error`` is raised if no attempt is left."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


async def with_retries(
    policy: RetryPolicy,
    attempt: Callable[[], Awaitable[T]],
    on_retry: Callable[[int, Exception], None],
    on_give_up: Callable[[Exception], None] | None = None,
) -> T:
    """``attempt()``, run again after a backoff while it raises :class:`Retry` (at most
    ``policy.retries`` more times); ``on_retry(attempt_number, error)`` is told of each such failure.
    When none is left, ``on_give_up(error)`` is told and the last one's ``error`` is raised."""
    last: Exception | None = None
    for number in range(policy.retries + 1):
        if number:
            await policy.wait(number - 1)
        try:
            return await attempt()
        except Retry as retry:
            last = retry.error
            on_retry(number + 1, last)
    assert last is not None
    if on_give_up is not None:
        on_give_up(last)
    raise last


async def json_response(
    send: Callable[[], Awaitable[httpx.Response]],
    error: Callable[[str, int | None], Exception],
    malformed: Callable[[str], Exception],
) -> Any:
    """The JSON body of the response to ``send()``.

    A failed request becomes ``error(message, None)`` and an HTTP status of 400 or more
    ``error(message, status)``, wrapped in :class:`Retry` when transient (connection errors and
    timeouts, :func:`is_transient_status`); an unparsable body becomes ``malformed(message)``.
    """
    try:
        response = await send()
    except httpx.InvalidURL as exc:
        raise error(f"invalid URL: {exc}", None) from exc
    except httpx.HTTPError as exc:
        failure = error(f"{type(exc).__name__}: {exc}", None)
        if isinstance(exc, httpx.UnsupportedProtocol):
            raise failure from exc
        raise Retry(failure) from exc
    status = response.status_code
    if status >= 400:
        failure = error(f"HTTP {status}: {response.text[:200]!r}", status)
        if is_transient_status(status):
            raise Retry(failure)
        raise failure
    try:
        return response.json()
    except ValueError as exc:
        raise malformed(f"response is not JSON: {response.text[:120]!r}") from exc


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
