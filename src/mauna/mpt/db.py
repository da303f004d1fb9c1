"""A py-evm key/value database that reads trie nodes through a :class:`TrieProvider`.

py-evm's ``AccountDB`` (over the ``trie`` package's ``HexaryTrie``) loads nodes lazily, by hash,
from whatever database it is given. :class:`ProviderDB` is that database for stateless
execution: reads go to a local overlay first (nodes written while building the block), then to
the provider. A miss raises :class:`MissingNodeError`, a :class:`~mauna.errors.MissingPreimageError`
that names the hash and is also a ``KeyError``, because the ``trie`` package and py-evm's batch
databases use ``KeyError`` to probe for absent keys (``pop(key, None)`` while pruning) and turn
it into their ``MissingTrieNode``, which keeps the hash too. Writes never reach the provider.
Every fetched node is kept, so each hash is requested at most once.
"""

from __future__ import annotations

from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB

from mauna.errors import MaunaError, MissingPreimageError
from mauna.mpt.provider import NoopTrieHinter, TrieHinter, TrieProvider
from mauna.primitives.bytes import to_hex

BLANK_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")


class MissingNodeError(MissingPreimageError, KeyError):
    """A trie node the provider does not have (a ``KeyError`` for py-evm's and trie's probes).

    ``args[0]`` is the node hash itself, as the ``trie`` package expects of a ``KeyError``.
    """

    def __init__(self, node_hash: bytes) -> None:
        super().__init__(node_hash)
        self.node_hash = node_hash

    def __str__(self) -> str:
        return f"trie node {to_hex(self.node_hash)} not available"


class ProviderDB(BaseDB):
    """Overlay of written nodes over a read-only :class:`TrieProvider`."""

    def __init__(self, provider: TrieProvider, hinter: TrieHinter | None = None) -> None:
        self.provider = provider
        self.hinter: TrieHinter = hinter if hinter is not None else NoopTrieHinter()
        self.overlay: dict[bytes, bytes] = {}
        self.fetched = 0

    def __getitem__(self, key: bytes) -> bytes:
        value = self.overlay.get(key)
        if value is None:
            self.hinter.hint_trie_node(key)
            try:
                value = self.provider.trie_node_by_hash(key)
            except MissingNodeError:
                raise
            except MissingPreimageError as exc:
                raise MissingNodeError(key) from exc
            self.overlay[key] = value
            self.fetched += 1
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.overlay[key] = value

    def __delitem__(self, key: bytes) -> None:
        # Nodes are content-addressed and may be shared: deleting is only forgetting a local copy.
        self.overlay.pop(key, None)

    def pop(self, key: bytes, *default: bytes | None) -> bytes | None:  # type: ignore[override]
        """Forget a local copy. Never asks the provider: a node being discarded need not exist
        there (the trie discards scratch nodes it never stored), and over a preimage oracle asking
        for an unknown key would end the program."""
        if default:
            return self.overlay.pop(key, default[0])
        return self.overlay.pop(key)

    def _exists(self, key: bytes) -> bool:
        if key in self.overlay:
            return True
        try:
            self[key]
        except MaunaError:
            return False
        return True


def provider_atomic_db(
    provider: TrieProvider, hinter: TrieHinter | None = None
) -> tuple[AtomicDB, ProviderDB]:
    """An ``AtomicDB`` for py-evm's state classes over ``provider``, and the underlying store."""
    store = ProviderDB(provider, hinter)
    return AtomicDB(store), store
