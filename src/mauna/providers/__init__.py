"""Online providers: the derivation pipeline's L1, L2 and blob data over JSON-RPC and the beacon API.

- :class:`RpcClient`: JSON-RPC over HTTP with retries and an LRU cache of immutable lookups.
- :class:`OnlineL1ChainProvider` / :class:`OnlineL2ChainProvider`: the chain providers.
- :class:`BeaconClient` / :class:`OnlineBlobProvider`: blobs, verified against their versioned hashes.

Every failure is a typed :class:`~mauna.derive.errors.ProviderError` (see :mod:`mauna.providers.errors`).
"""

from __future__ import annotations

from mauna.providers.beacon import BeaconClient, BlobSidecar, OnlineBlobProvider
from mauna.providers.chain import OnlineL1ChainProvider, OnlineL2ChainProvider
from mauna.providers.errors import (
    BeaconError,
    BlobNotFoundError,
    BlobVerificationError,
    BlockNotFoundError,
    MalformedResponseError,
    RpcError,
    RpcMethodNotFoundError,
    RpcResponseError,
    RpcTransportError,
)
from mauna.providers.http import RetryPolicy
from mauna.providers.rpc import RpcClient

__all__ = [
    "BeaconClient",
    "BeaconError",
    "BlobNotFoundError",
    "BlobSidecar",
    "BlobVerificationError",
    "BlockNotFoundError",
    "MalformedResponseError",
    "OnlineBlobProvider",
    "OnlineL1ChainProvider",
    "OnlineL2ChainProvider",
    "RetryPolicy",
    "RpcClient",
    "RpcError",
    "RpcMethodNotFoundError",
    "RpcResponseError",
    "RpcTransportError",
]
