from __future__ import annotations

import pytest

from mauna.executor.receipts import OpReceipt, logs_bloom
from mauna.mpt.ordered import EMPTY_ROOT, ordered_trie_root
from mauna.primitives.receipt import Log
from mauna.proof.errors import TrieWalkError
from mauna.proof.receipts import decode_receipt
from mauna.proof.trie_walk import ordered_list_nodes, walk_ordered_list


@pytest.mark.parametrize("count", [1, 2, 3, 17, 130, 300])
def test_walk_reproduces_list(count: int) -> None:
    items = [bytes([i % 256]) * (1 + i % 40) for i in range(count)]
    nodes = ordered_list_nodes(items)
    assert walk_ordered_list(ordered_trie_root(items), nodes.__getitem__) == items


def test_empty_list() -> None:
    assert walk_ordered_list(EMPTY_ROOT, lambda h: b"") == []
    assert ordered_list_nodes([]) == {}


def test_tampered_node_is_named() -> None:
    items = [b"a" * 40, b"b" * 40, b"c" * 40]
    nodes = ordered_list_nodes(items)
    root = ordered_trie_root(items)
    tampered = {k: (v[:-1] + b"\x00" if k != root else v) for k, v in nodes.items()}
    with pytest.raises(TrieWalkError, match="does not hash to its reference"):
        walk_ordered_list(root, tampered.__getitem__)


def test_receipt_roundtrip() -> None:
    log = Log(b"\x11" * 20, (b"\x22" * 32,), b"data")
    for tx_type in (0, 2):
        raw = OpReceipt(tx_type, True, 12345, (log,), logs_bloom((log,))).encode()
        receipt = decode_receipt(raw)
        assert (receipt.status, receipt.cumulative_gas_used, receipt.logs, receipt.tx_type) == (
            1,
            12345,
            (log,),
            tx_type,
        )
