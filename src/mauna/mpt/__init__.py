"""Merkle-Patricia tries for stateless execution (the role of kona-mpt).

Trie nodes, bytecode and headers are read by keccak256 hash from a :class:`TrieProvider`; the
fault-proof host is told what to fetch through a :class:`TrieHinter`. The trie algorithms
themselves (lazy node loading, insertion, deletion with node collapsing, root computation) are
those of the ``trie`` package's ``HexaryTrie``, used by py-evm's state layer; this package adds
what they lack for stateless use: the provider-backed node store (:mod:`mauna.mpt.db`) that
names the missing hash, and ordered-list roots (:mod:`mauna.mpt.ordered`).
"""

from mauna.mpt.db import MissingNodeError, ProviderDB, provider_atomic_db
from mauna.mpt.ordered import ordered_trie_root
from mauna.mpt.provider import DictTrieProvider, NoopTrieHinter, TrieHinter, TrieProvider

__all__ = [
    "DictTrieProvider",
    "MissingNodeError",
    "NoopTrieHinter",
    "ProviderDB",
    "TrieHinter",
    "TrieProvider",
    "ordered_trie_root",
    "provider_atomic_db",
]
