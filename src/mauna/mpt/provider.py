"""Where stateless execution gets its data: :class:`TrieProvider` and :class:`TrieHinter`.

The provider answers preimage requests by keccak256 hash (trie nodes, contract bytecode, block
headers); the hinter tells a fault-proof host which data the program is about to request, so
the host can fetch it ahead of time (fault-proof/index.md, "Pre-image hinting routes"). The set
of hints follows kona-mpt's ``TrieHinter``: a single trie node, the proof of an account, the
proof of a storage slot, and the whole execution witness of a payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mauna.errors import DecodeError, MissingPreimageError
from mauna.primitives.bytes import keccak256, to_hex
from mauna.primitives.header import Header

if TYPE_CHECKING:
    from mauna.executor.attributes import OpPayloadAttributes


@runtime_checkable
class TrieProvider(Protocol):
    """Preimages by keccak256 hash. Every method raises :class:`MissingPreimageError` on a miss."""

    def trie_node_by_hash(self, node_hash: bytes) -> bytes:
        """The RLP encoding of the trie node whose keccak256 is ``node_hash``."""
        ...

    def bytecode_by_hash(self, code_hash: bytes) -> bytes:
        """The contract bytecode whose keccak256 is ``code_hash``."""
        ...

    def header_by_hash(self, block_hash: bytes) -> Header:
        """The block header whose hash is ``block_hash``."""
        ...


@runtime_checkable
class TrieHinter(Protocol):
    """Hints to a fault-proof host about the preimages execution will request next."""

    def hint_trie_node(self, node_hash: bytes) -> None:
        """The trie node with this hash is about to be requested."""
        ...

    def hint_account_proof(self, address: bytes, block_number: int) -> None:
        """The trie nodes on the path to ``address`` in the state of ``block_number``."""
        ...

    def hint_storage_proof(self, address: bytes, slot: int, block_number: int) -> None:
        """The trie nodes on the path to ``slot`` in ``address``'s storage at ``block_number``."""
        ...

    def hint_execution_witness(self, parent_hash: bytes, attributes: OpPayloadAttributes) -> None:
        """Every preimage needed to execute ``attributes`` on top of the block ``parent_hash``."""
        ...


class NoopTrieHinter:
    """A :class:`TrieHinter` that sends nothing (all data is local)."""

    def hint_trie_node(self, node_hash: bytes) -> None:
        return None

    def hint_account_proof(self, address: bytes, block_number: int) -> None:
        return None

    def hint_storage_proof(self, address: bytes, slot: int, block_number: int) -> None:
        return None

    def hint_execution_witness(self, parent_hash: bytes, attributes: OpPayloadAttributes) -> None:
        return None


class DictTrieProvider:
    """A :class:`TrieProvider` over an in-memory ``{keccak256(preimage): preimage}`` mapping.

    Trie nodes, bytecode and RLP headers share one key space (as in kona's executor fixtures).
    ``verify=True`` checks each returned preimage against its hash (a corrupted witness is then
    reported as missing, naming the hash).
    """

    __slots__ = ("_headers", "_preimages", "_verify")

    def __init__(self, preimages: Mapping[bytes, bytes], *, verify: bool = False) -> None:
        self._preimages = preimages
        self._verify = verify
        self._headers: dict[bytes, Header] = {}

    def __len__(self) -> int:
        return len(self._preimages)

    def _get(self, key: bytes, what: str) -> bytes:
        value = self._preimages.get(key)
        if value is None:
            raise MissingPreimageError(f"{what} {to_hex(key)} not available")
        if self._verify and keccak256(value) != key:
            raise MissingPreimageError(f"{what} {to_hex(key)} not available (preimage does not hash to it)")
        return value

    def trie_node_by_hash(self, node_hash: bytes) -> bytes:
        return self._get(node_hash, "trie node")

    def bytecode_by_hash(self, code_hash: bytes) -> bytes:
        return self._get(code_hash, "bytecode")

    def header_by_hash(self, block_hash: bytes) -> Header:
        cached = self._headers.get(block_hash)
        if cached is not None:
            return cached
        raw = self._get(block_hash, "header")
        try:
            header = Header.decode(raw)
        except DecodeError as exc:
            raise MissingPreimageError(f"header {to_hex(block_hash)} not available ({exc})") from exc
        self._headers[block_hash] = header
        return header
