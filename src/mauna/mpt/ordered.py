"""Roots of ordered lists (transactions, receipts, withdrawals) as block headers commit to them.

The list is a trie keyed by ``rlp(index)`` whose values are the items' encodings (EIP-2718
envelopes for typed transactions and receipts). Built with the ``trie`` package's ``HexaryTrie``
on a throw-away in-memory store.
"""

from __future__ import annotations

from collections.abc import Sequence

import rlp
from trie import HexaryTrie

EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")


def ordered_trie_root(items: Sequence[bytes]) -> bytes:
    """Root of the trie ``{rlp(i): items[i]}``; the empty list gives the empty-trie root."""
    if not items:
        return EMPTY_ROOT
    trie = HexaryTrie(db={})
    with trie.squash_changes() as batch:
        for index, item in enumerate(items):
            batch[rlp.encode(index)] = bytes(item)
    return bytes(trie.root_hash)
