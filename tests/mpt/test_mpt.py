"""mauna.mpt: provider-backed trie reads/writes against the ``trie`` package as oracle, and real roots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie
from trie.exceptions import MissingTrieNode

from mauna.errors import MissingPreimageError
from mauna.mpt import DictTrieProvider, MissingNodeError, NoopTrieHinter, ProviderDB, ordered_trie_root
from mauna.mpt.ordered import EMPTY_ROOT
from mauna.primitives.bytes import from_hex, keccak256
from mauna.primitives.header import Header

KONA = Path(__file__).parents[1] / "fixtures" / "kona"

keys = st.binary(min_size=1, max_size=8)
values = st.binary(min_size=1, max_size=40)
kv_maps = st.dictionaries(keys, values, max_size=40)


def _oracle(items: dict[bytes, bytes]) -> tuple[bytes, dict[bytes, bytes]]:
    db: dict[bytes, bytes] = {}
    trie = HexaryTrie(db)
    with trie.squash_changes() as batch:
        for k, v in items.items():
            batch[k] = v
    return bytes(trie.root_hash), db


@settings(max_examples=150, deadline=None)
@given(kv_maps, kv_maps, st.lists(keys, max_size=10))
def test_provider_backed_trie_matches_oracle(
    initial: dict[bytes, bytes], updates: dict[bytes, bytes], deletes: list[bytes]
) -> None:
    root, nodes = _oracle(initial)
    store = ProviderDB(DictTrieProvider(nodes))
    lazy = HexaryTrie(store, root_hash=root)
    for k, v in initial.items():
        assert lazy[k] == v
    oracle = HexaryTrie(dict(nodes), root_hash=root)
    for k, v in updates.items():
        lazy[k] = v
        oracle[k] = v
    for k in deletes:
        if k in lazy:
            del lazy[k]
        if k in oracle:
            del oracle[k]
    assert lazy.root_hash == oracle.root_hash
    # Every node read came from the provider or was written locally: nothing reached back.
    assert store.fetched <= len(nodes)


def _reference_root(items: list[bytes]) -> bytes:
    """Independent ordered-trie root: a minimal MPT builder written for this test."""

    def nibbles(key: bytes) -> list[int]:
        return [n for b in key for n in (b >> 4, b & 15)]

    def hp(path: list[int], leaf: bool) -> bytes:
        flag = (2 if leaf else 0) + (len(path) % 2)
        data = [flag] + ([] if len(path) % 2 else [0]) + path
        return bytes(data[i] * 16 + data[i + 1] for i in range(0, len(data), 2))

    def ref(node: object) -> object:
        enc = rlp.encode(node)
        return node if len(enc) < 32 else keccak256(enc)

    def build(pairs: list[tuple[list[int], bytes]]) -> object:
        if len(pairs) == 1:
            path, value = pairs[0]
            return [hp(path, True), value]
        prefix = 0
        while all(len(p) > prefix for p, _ in pairs) and len({p[prefix] for p, _ in pairs}) == 1:
            prefix += 1
        if prefix:
            child = build([(p[prefix:], v) for p, v in pairs])
            return [hp(pairs[0][0][:prefix], False), ref(child)]
        branch: list[object] = [b""] * 17
        for n in range(16):
            sub = [(p[1:], v) for p, v in pairs if p and p[0] == n]
            if sub:
                branch[n] = ref(build(sub))
        for p, v in pairs:
            if not p:
                branch[16] = v
        return branch

    if not items:
        return EMPTY_ROOT
    root = build([(nibbles(rlp.encode(i)), item) for i, item in enumerate(items)])
    return keccak256(rlp.encode(root))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=64), max_size=140))
def test_ordered_trie_root_matches_reference(items: list[bytes]) -> None:
    assert ordered_trie_root(items) == _reference_root(items)


def test_ordered_trie_root_of_real_block() -> None:
    block = json.loads((KONA / "executor" / "block-26207960.json").read_text())
    child = json.loads((KONA / "executor" / "block-26207961.json").read_text())
    txs = [from_hex(t) for t in block["executing_payload"]["transactions"]]
    assert ordered_trie_root(txs) == from_hex(child["parent_header"]["transactionsRoot"])
    assert ordered_trie_root([]) == from_hex(
        "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    )


def test_real_witness_reads_accounts() -> None:
    block = json.loads((KONA / "executor" / "block-26207960.json").read_text())
    preimages = {from_hex(k): from_hex(v) for k, v in block["preimages"].items()}
    parent = Header.from_rpc(block["parent_header"])
    store = ProviderDB(DictTrieProvider(preimages), NoopTrieHinter())
    state = HexaryTrie(store, root_hash=parent.state_root)
    # The L1Block predeploy is read by every block (L1-info deposit).
    account = state[keccak256(bytes.fromhex("4200000000000000000000000000000000000015"))]
    _nonce, _balance, storage_root, code_hash = rlp.decode(account)
    assert len(storage_root) == 32 and len(code_hash) == 32
    assert code_hash in preimages or storage_root in preimages


def test_missing_node_names_hash() -> None:
    root, nodes = _oracle({bytes([i]) * 3: bytes([i]) * 40 for i in range(1, 30)})
    victim = next(h for h in nodes if h != root)
    del nodes[victim]
    store = ProviderDB(DictTrieProvider(nodes))
    with pytest.raises(MissingNodeError) as info:
        store[victim]
    assert victim.hex() in str(info.value)
    assert isinstance(info.value, MissingPreimageError) and isinstance(info.value, KeyError)
    lazy = HexaryTrie(store, root_hash=root)
    with pytest.raises(MissingTrieNode) as trie_info:
        for i in range(1, 30):
            lazy[bytes([i]) * 3]
    assert bytes(trie_info.value.missing_node_hash) == victim


def test_dict_provider_checks_and_headers() -> None:
    block = json.loads((KONA / "executor" / "block-26207961.json").read_text())
    parent = Header.from_rpc(block["parent_header"])
    raw = parent.encode()
    provider = DictTrieProvider({parent.hash(): raw, b"\x11" * 32: b"not it"}, verify=True)
    assert provider.header_by_hash(parent.hash()) == parent
    with pytest.raises(MissingPreimageError, match="0x1111"):
        provider.bytecode_by_hash(b"\x11" * 32)
    with pytest.raises(MissingPreimageError, match="header 0x2222"):
        provider.header_by_hash(b"\x22" * 32)
    assert len(provider) == 2


def test_provider_db_pop_never_asks_the_provider() -> None:
    """Discarding a node the overlay lacks must not reach the provider (an oracle would fail)."""

    class Refusing:
        def trie_node_by_hash(self, key: bytes) -> bytes:
            raise AssertionError("provider asked for a node during pop")

        def bytecode_by_hash(self, key: bytes) -> bytes:
            raise AssertionError("unexpected")

        def header_by_hash(self, key: bytes) -> object:
            raise AssertionError("unexpected")

    from mauna.mpt.db import ProviderDB

    db = ProviderDB(Refusing())  # type: ignore[arg-type]
    db[b"\x01" * 32] = b"node"
    assert db.pop(b"\x01" * 32, None) == b"node"
    assert db.pop(b"\x02" * 32, None) is None
    with pytest.raises(KeyError):
        db.pop(b"\x02" * 32)
