"""The fault-proof host: pre-image stores (and, elsewhere, the hint handlers that fill them)."""

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

__all__ = [
    "DiskKeyValueStore",
    "IterableKeyValueStore",
    "KeyValueStore",
    "KeyValueStoreError",
    "LocalKeyValueStore",
    "MemoryKeyValueStore",
    "SplitKeyValueStore",
    "store_fetcher",
    "verify_store",
]
