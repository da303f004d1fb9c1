"""The fault-proof host: pre-image stores, the hint fetcher and the server that runs a client."""

from mauna.proof.host.fetcher import JsonRpc, OnlineFetcher, RpcError
from mauna.proof.host.kv import (
    DiskKeyValueStore,
    IterableKeyValueStore,
    KeyValueStore,
    KeyValueStoreError,
    LocalKeyValueStore,
    MemoryKeyValueStore,
    SplitKeyValueStore,
    store_fetcher,
    verify_store,
)
from mauna.proof.host.server import HostServer, HostStats, NativeRun, run_native, spawn_client

__all__ = [
    "DiskKeyValueStore",
    "HostServer",
    "HostStats",
    "IterableKeyValueStore",
    "JsonRpc",
    "KeyValueStore",
    "KeyValueStoreError",
    "LocalKeyValueStore",
    "MemoryKeyValueStore",
    "NativeRun",
    "OnlineFetcher",
    "RpcError",
    "SplitKeyValueStore",
    "run_native",
    "spawn_client",
    "store_fetcher",
    "verify_store",
]
