"""Errors of the online providers: every network or response problem becomes one of these.

All are :class:`~mauna.derive.errors.ProviderError` (temporary for the derivation pipeline: the
caller steps again later), so no raw ``httpx`` exception or decoding error reaches the pipeline.
Each message names the endpoint, the method (or route) and what was wrong.
"""

from __future__ import annotations

from mauna.derive.errors import ProviderError


class RpcError(ProviderError):
    """A JSON-RPC request failed."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(f"{method} @ {url}: {message}")
        self.method = method
        self.url = url


class RpcTransportError(RpcError):
    """The endpoint could not be reached or answered with an HTTP error (after the retries)."""

    def __init__(self, message: str, *, method: str, url: str, status: int | None = None) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status


class RpcResponseError(RpcError):
    """The endpoint answered with a JSON-RPC error object."""

    def __init__(self, code: int, rpc_message: str, *, method: str, url: str) -> None:
        super().__init__(f"JSON-RPC error {code}: {rpc_message}", method=method, url=url)
        self.code = code
        self.rpc_message = rpc_message


class RpcMethodNotFoundError(RpcResponseError):
    """The endpoint does not implement the method (JSON-RPC error -32601 or similar)."""


class MalformedResponseError(RpcError):
    """The response does not have the expected shape, or fails an integrity check (hash, root)."""


class BlockNotFoundError(ProviderError):
    """The endpoint does not know the requested block (a ``null`` result)."""


class BeaconError(ProviderError):
    """A beacon API request failed."""

    def __init__(self, message: str, *, route: str, url: str, status: int | None = None) -> None:
        super().__init__(f"GET {route} @ {url}: {message}")
        self.route = route
        self.url = url
        self.status = status


class BlobNotFoundError(ProviderError):
    """The beacon node did not return a blob with the requested versioned hash."""


class BlobVerificationError(ProviderError):
    """A blob from the beacon node does not match its commitment, proof or versioned hash."""


__all__ = [
    "BeaconError",
    "BlobNotFoundError",
    "BlobVerificationError",
    "BlockNotFoundError",
    "MalformedResponseError",
    "RpcError",
    "RpcMethodNotFoundError",
    "RpcResponseError",
    "RpcTransportError",
]
