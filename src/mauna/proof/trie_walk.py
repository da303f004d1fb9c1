"""Ordered-list tries (transactions, receipts) read node by node from their root.

A block header commits to its transactions and receipts as a Merkle-Patricia trie keyed by
``rlp(index)`` (fault-proof/index.md "l1-transactions" / "l1-receipts": the host prepares the
RLP pre-images of the list's trie nodes). :func:`walk_ordered_list` fetches the nodes by
keccak-256 hash, starting at the header's root, and returns the values in index order; since each
node is checked against its hash on the way down, the list is authenticated by the root. This is
the role of kona-mpt's ``OrderedListWalker``. :func:`ordered_list_nodes` is the host-side inverse:
every node a walker will ask for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import rlp
from trie import HexaryTrie

from mauna.errors import DecodeError
from mauna.mpt.ordered import EMPTY_ROOT
from mauna.primitives.bytes import keccak256
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.proof.errors import TrieWalkError

NodeFetcher = Callable[[bytes], bytes]
"""Returns the RLP trie node whose keccak-256 is the given 32-byte hash."""

MAX_LIST_LENGTH = 1 << 20


def _nibbles(data: bytes) -> list[int]:
    out: list[int] = []
    for byte in data:
        out.extend((byte >> 4, byte & 0x0F))
    return out


def _hex_prefix(encoded: bytes) -> tuple[list[int], bool]:
    """Decode a compact (hex-prefix) path: ``(nibbles, is_leaf)``."""
    if not encoded:
        raise TrieWalkError("trie node has an empty compact path")
    flag = encoded[0] >> 4
    if flag > 3:
        raise TrieWalkError(f"trie node compact path has flag {flag}")
    nibbles = _nibbles(encoded)
    return (nibbles[1:] if flag & 1 else nibbles[2:]), bool(flag & 2)


def walk_ordered_list(root: bytes, fetch: NodeFetcher) -> list[bytes]:
    """The values of the ordered-list trie with ``root``, in index order.

    Raises :class:`TrieWalkError` naming the node when the trie is malformed or its keys are not
    exactly ``rlp(0) … rlp(n-1)``.
    """
    if root == EMPTY_ROOT:
        return []
    entries: list[tuple[list[int], bytes]] = []

    def visit(ref: object, path: list[int], depth: int) -> None:
        if depth > 64:
            raise TrieWalkError(f"trie under root 0x{root.hex()} is deeper than 64 levels")
        if isinstance(ref, bytes):
            if len(ref) == 0:
                return
            if len(ref) != 32:
                raise TrieWalkError(f"trie node reference of {len(ref)} bytes under root 0x{root.hex()}")
            raw = fetch(ref)
            if keccak256(raw) != ref:
                raise TrieWalkError(f"trie node 0x{ref.hex()} does not hash to its reference")
            try:
                node = rlp_decode(raw, what=f"trie node 0x{ref.hex()}")
            except DecodeError as exc:
                raise TrieWalkError(str(exc)) from exc
        else:
            node = ref
        if not isinstance(node, list):
            raise TrieWalkError(f"trie node under root 0x{root.hex()} is not an RLP list")
        if len(node) == 17:
            for i in range(16):
                visit(node[i], [*path, i], depth + 1)
            if isinstance(node[16], bytes) and node[16]:
                entries.append((path, node[16]))
        elif len(node) == 2:
            if not isinstance(node[0], bytes):
                raise TrieWalkError(f"trie node under root 0x{root.hex()} has a list as its path")
            rest, leaf = _hex_prefix(node[0])
            if leaf:
                if not isinstance(node[1], bytes):
                    raise TrieWalkError(f"leaf under root 0x{root.hex()} holds a list, not a value")
                entries.append(([*path, *rest], node[1]))
            else:
                visit(node[1], [*path, *rest], depth + 1)
        else:
            raise TrieWalkError(f"trie node under root 0x{root.hex()} has {len(node)} items")

    visit(root, [], 0)
    indexed: list[tuple[int, bytes]] = []
    for path, value in entries:
        if len(path) % 2:
            raise TrieWalkError(f"ordered-list trie 0x{root.hex()} has an odd-length key")
        key = bytes(path[i] << 4 | path[i + 1] for i in range(0, len(path), 2))
        try:
            index = rlp.decode(key, sedes=rlp.sedes.big_endian_int)
        except Exception as exc:
            raise TrieWalkError(f"ordered-list trie 0x{root.hex()} has key 0x{key.hex()}: {exc}") from exc
        indexed.append((index, value))
    indexed.sort(key=lambda item: item[0])
    if [i for i, _ in indexed] != list(range(len(indexed))) or len(indexed) > MAX_LIST_LENGTH:
        raise TrieWalkError(f"ordered-list trie 0x{root.hex()} keys are not 0..{len(indexed) - 1}")
    return [value for _, value in indexed]


def ordered_list_nodes(items: Sequence[bytes]) -> dict[bytes, bytes]:
    """Every hashed node of the ordered-list trie of ``items``: ``{keccak256(node): node}``."""
    if not items:
        return {}
    db: dict[bytes, bytes] = {}
    trie = HexaryTrie(db=db)
    with trie.squash_changes() as batch:
        for index, item in enumerate(items):
            batch[rlp_encode(index)] = bytes(item)
    root = bytes(trie.root_hash)
    out: dict[bytes, bytes] = {}
    # Keep only the nodes reachable from the final root (squashing may leave none behind, but the
    # store is the package's and its contents are not promised).
    walk_ordered_list(root, lambda h: _remember(db, out, h))
    return out


def _remember(db: dict[bytes, bytes], out: dict[bytes, bytes], node_hash: bytes) -> bytes:
    node = db[node_hash]
    out[node_hash] = node
    return node
