"""The pre-image oracle wire protocol: client and server.

Spec: fault-proof "Pre-image communication". Over a blocking two-way stream::

    <request>  := <bytes32>                       # the type-prefixed pre-image key
    <response> := <length prefix> <pre-image bytes>
    <length prefix> := big-endian uint64

The same framing is used by kona (``OracleReader`` / ``OracleServer``) and op-program
(``OracleClient`` / ``OracleServer``), so either side can be a mauna, kona or op-program process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from mauna.preimage.channel import Reader, Sink, Source, Writer
from mauna.preimage.errors import PreimageNotFoundError
from mauna.preimage.keys import KEY_SIZE, PreimageKey
from mauna.preimage.verify import verify_preimage

LENGTH_PREFIX_SIZE = 8
DEFAULT_CACHE_SIZE = 4096

PreimageFetcher = Callable[[PreimageKey], bytes]
"""A host-side source of pre-images: returns the value or raises (e.g. ``PreimageNotFoundError``)."""


@runtime_checkable
class PreimageOracle(Protocol):
    """Anything that returns the full pre-image of a key."""

    def get(self, key: PreimageKey) -> bytes: ...


def encode_request(key: PreimageKey) -> bytes:
    """Wire form of a request: the 32-byte key."""
    return key.encode()


def encode_response(value: bytes) -> bytes:
    """Wire form of a response: ``uint64`` big-endian length ‖ value."""
    return len(value).to_bytes(LENGTH_PREFIX_SIZE, "big") + bytes(value)


class OracleClient:
    """Client side: writes a key, reads back the length-prefixed pre-image.

    ``reader`` is the stream responses arrive on, ``writer`` the one requests go to (a raw
    descriptor or a binary file). With ``verify`` (the default) every pre-image is checked
    against its key (:func:`mauna.preimage.verify.verify_preimage`) before it is returned. One
    request is in flight at a time; the client may be shared between threads.
    """

    def __init__(self, reader: Source, writer: Sink, *, verify: bool = True) -> None:
        self._reader = Reader(reader)
        self._writer = Writer(writer)
        self._verify = verify
        self._lock = threading.Lock()

    def get(self, key: PreimageKey) -> bytes:
        with self._lock:
            self._writer.write_all(encode_request(key), f"pre-image request {key}")
            header = self._reader.read_exact(LENGTH_PREFIX_SIZE, f"pre-image length of {key}")
            length = int.from_bytes(header, "big")
            value = self._reader.read_exact(length, f"pre-image of {key} ({length} bytes)")
        if self._verify:
            verify_preimage(key, value)
        return value


class OracleServer:
    """Host side: reads a 32-byte key, answers with the fetcher's pre-image.

    ``reader`` is the stream requests arrive on, ``writer`` the one responses go to. An error of
    the fetcher propagates unchanged and nothing is written for that request.
    """

    def __init__(self, reader: Source, writer: Sink, fetcher: PreimageFetcher) -> None:
        self._reader = Reader(reader)
        self._writer = Writer(writer)
        self._fetcher = fetcher

    def serve_one(self) -> bool:
        """Serve one request; ``False`` when the client closed the stream before a new request."""
        raw = self._reader.read_exact_or_eof(KEY_SIZE, "pre-image request key")
        if raw is None:
            return False
        key = PreimageKey.decode(raw)
        value = bytes(self._fetcher(key))
        self._writer.write_all(encode_response(value), f"pre-image response for {key}")
        return True

    def serve_forever(self) -> int:
        """Serve until the client closes the stream; returns the number of requests served."""
        served = 0
        while self.serve_one():
            served += 1
        return served


class CachingOracle:
    """An LRU cache of at most ``capacity`` pre-images in front of another oracle."""

    def __init__(self, inner: PreimageOracle, capacity: int = DEFAULT_CACHE_SIZE) -> None:
        if capacity <= 0:
            raise ValueError(f"cache capacity must be positive, got {capacity}")
        self._inner = inner
        self._capacity = capacity
        self._cache: OrderedDict[PreimageKey, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: PreimageKey) -> bytes:
        with self._lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache.move_to_end(key)
                return value
        value = self._inner.get(key)
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._cache)

    def __contains__(self, key: object) -> bool:
        return key in self._cache

    def flush(self) -> None:
        """Drop every cached entry."""
        with self._lock:
            self._cache.clear()


class VerifyingOracle:
    """Checks every pre-image of another oracle against its key (for sources that do not)."""

    def __init__(self, inner: PreimageOracle) -> None:
        self._inner = inner

    def get(self, key: PreimageKey) -> bytes:
        value = self._inner.get(key)
        verify_preimage(key, value)
        return value


def verifying_fetcher(fetcher: PreimageFetcher) -> PreimageFetcher:
    """Wrap a host-side fetcher so it never serves a pre-image that does not match its key."""

    def fetch(key: PreimageKey) -> bytes:
        value = fetcher(key)
        verify_preimage(key, value)
        return value

    return fetch


class MemoryOracle:
    """An oracle over an in-memory mapping (offline runs and tests). Unknown keys raise."""

    def __init__(self, preimages: Mapping[PreimageKey, bytes] | None = None) -> None:
        self._preimages: dict[PreimageKey, bytes] = dict(preimages or {})

    def get(self, key: PreimageKey) -> bytes:
        try:
            return self._preimages[key]
        except KeyError:
            raise PreimageNotFoundError(key) from None

    def insert(self, key: PreimageKey, value: bytes) -> None:
        self._preimages[key] = bytes(value)

    def __len__(self) -> int:
        return len(self._preimages)

    def __call__(self, key: PreimageKey) -> bytes:
        """A :data:`PreimageFetcher` view, to back an :class:`OracleServer` directly."""
        return self.get(key)
