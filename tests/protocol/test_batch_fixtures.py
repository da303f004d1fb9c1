"""Span batches from real data: kona's op-node raw span batch and an OP Mainnet channel."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import rlp
from eth_keys import keys

from mauna.errors import BatchError
from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import keccak256
from mauna.protocol.batch import (
    LEGACY_TX_TYPE,
    SPAN_BATCH_TYPE,
    RawSpanBatch,
    SignedTx,
    SingleBatch,
    SpanBatch,
    decode_batch,
    encode_batch,
)

KONA = Path(__file__).parents[1] / "fixtures" / "kona"

# kona's test for this file (crates/derive/src/types/batch/span_batch/raw.rs, first version)
# recovers the signatures with chain id 981.
RAW_SPAN_BATCH_CHAIN_ID = 981

# derive/batch.hex is an OP Mainnet channel (June 2024): OP Mainnet's rollup config.
OP_MAINNET_CHAIN_ID = 10
OP_MAINNET_GENESIS_L2_TIME = 1686068903
OP_MAINNET_BLOCK_TIME = 2


@pytest.fixture(scope="module")
def raw_span_bytes() -> bytes:
    return (KONA / "protocol" / "raw_span_batch.hex").read_bytes()


@pytest.fixture(scope="module")
def mainnet_batch_bytes() -> bytes:
    text = (KONA / "derive" / "batch.hex").read_text().strip()
    decompressed = zlib.decompress(bytes.fromhex(text))
    assert len(decompressed) == 1_409_463
    item = rlp.decode(decompressed)
    assert isinstance(item, bytes)
    return bytes(item)


@pytest.fixture(scope="module")
def mainnet_span(mainnet_batch_bytes: bytes) -> SpanBatch:
    raw = decode_batch(mainnet_batch_bytes)
    assert isinstance(raw, RawSpanBatch)
    return raw.derive(OP_MAINNET_BLOCK_TIME, OP_MAINNET_GENESIS_L2_TIME, OP_MAINNET_CHAIN_ID)


def _sender(tx: bytes) -> tuple[bytes, SignedTx]:
    signed = SignedTx.decode(tx)
    signature = keys.Signature(vrs=(signed.y_parity, signed.r, signed.s))
    public_key = signature.recover_public_key_from_msg_hash(signed.signing_hash())
    return public_key.to_canonical_address(), signed


# --- kona/op-node raw span batch -------------------------------------------------------------------
def test_raw_span_batch_decodes_to_observed_values(raw_span_bytes: bytes) -> None:
    batch = RawSpanBatch.decode(raw_span_bytes)
    assert len(raw_span_bytes) == 23886
    assert batch.rel_timestamp == 1639845645
    assert batch.l1_origin_num == 16988980031808077784
    assert batch.parent_check.hex() == "01ddf682e2f8a6f10c2207e02322897e65317196"
    assert batch.l1_origin_check.hex() == "8527cdb6f601acf9b483817abd1da92790c92b19"
    assert batch.block_count == 4
    assert batch.origin_bits == 0b1100
    assert batch.block_tx_counts == (8, 15, 15, 1)
    txs = batch.txs
    assert txs.total_tx_count == 39
    assert txs.tx_types == (0, 0, 1, 2) * 9 + (0, 0, 1)
    assert txs.legacy_tx_count == 20
    assert txs.protected_bits == 0b10101010101010101010
    assert txs.contract_creation_count == 19
    assert len(txs.tx_tos) == 20


def test_raw_span_batch_reencodes_byte_identically(raw_span_bytes: bytes) -> None:
    batch = RawSpanBatch.decode(raw_span_bytes)
    assert batch.encode() == raw_span_bytes
    assert encode_batch(batch) == bytes([SPAN_BATCH_TYPE]) + raw_span_bytes
    assert decode_batch(bytes([SPAN_BATCH_TYPE]) + raw_span_bytes) == batch


def test_raw_span_batch_derive_and_back(raw_span_bytes: bytes) -> None:
    raw = RawSpanBatch.decode(raw_span_bytes)
    span = raw.derive(block_time=2, genesis_timestamp=0, chain_id=RAW_SPAN_BATCH_CHAIN_ID)
    # l1_origin_num is the last block's origin; bits 3 and 2 each step back by one.
    assert [b.epoch_num for b in span.batches] == [
        16988980031808077782,
        16988980031808077782,
        16988980031808077783,
        16988980031808077784,
    ]
    assert [b.timestamp for b in span.batches] == [1639845645, 1639845647, 1639845649, 1639845651]
    assert [len(b.transactions) for b in span.batches] == [8, 15, 15, 1]
    assert span.origin_changed_bit is False
    assert span.starting_timestamp() == 1639845645
    assert span.final_timestamp() == 1639845651
    assert span.starting_epoch_num() == 16988980031808077782
    assert span.get_block_epoch_num(3) == 16988980031808077784

    all_txs = [tx for b in span.batches for tx in b.transactions]
    decoded = [SignedTx.decode(tx) for tx in all_txs]
    assert [tx.tx_type for tx in decoded] == list(raw.txs.tx_types)
    legacy = [tx for tx in decoded if tx.tx_type == LEGACY_TX_TYPE]
    # protected_bits 0b1010...: legacy txs alternate unprotected (v 27/28) / EIP-155 (chain id 981).
    assert [tx.protected for tx in legacy] == [False, True] * 10
    assert all(tx.v in (27, 28) for tx in legacy[0::2])
    assert all(tx.v in (2 * 981 + 35, 2 * 981 + 36) for tx in legacy[1::2])
    assert all(tx.chain_id == RAW_SPAN_BATCH_CHAIN_ID for tx in decoded if tx.tx_type != LEGACY_TX_TYPE)
    for tx in decoded:
        _sender(tx.encode())  # a valid secp256k1 signature: the sender is recoverable

    back = span.to_raw()
    assert back == raw
    assert back.encode() == raw_span_bytes


# --- OP Mainnet channel ------------------------------------------------------------------------------
def test_mainnet_span_batch_decodes(mainnet_batch_bytes: bytes) -> None:
    assert mainnet_batch_bytes[0] == SPAN_BATCH_TYPE
    raw = decode_batch(mainnet_batch_bytes)
    assert isinstance(raw, RawSpanBatch)
    assert raw.rel_timestamp == 32295734
    assert raw.l1_origin_num == 20089770
    assert raw.parent_check.hex() == "ba1be7cfde4724e81290aa5ae3c082731ce44823"
    assert raw.l1_origin_check.hex() == "4bd8da85bfabf4daa6a3f294d3d51dd927c6cbcb"
    assert raw.block_count == 143
    assert raw.block_tx_counts[:6] == (20, 10, 10, 10, 12, 10)
    assert raw.block_tx_counts[-3:] == (8, 11, 11)
    assert max(raw.block_tx_counts) == 47
    assert raw.txs.total_tx_count == 1766
    assert Counter(raw.txs.tx_types) == {0: 454, 1: 11, 2: 1301}
    assert raw.txs.protected_bits == (1 << 454) - 1  # every legacy tx is EIP-155 protected
    assert raw.txs.contract_creation_count == 1
    assert raw.origin_bits.bit_count() == 24
    assert encode_batch(raw) == mainnet_batch_bytes


def test_mainnet_span_batch_derive(mainnet_span: SpanBatch, mainnet_batch_bytes: bytes) -> None:
    span = mainnet_span
    assert span.block_count == 143
    assert span.starting_timestamp() == OP_MAINNET_GENESIS_L2_TIME + 32295734 == 1718364637
    assert span.final_timestamp() == 1718364637 + 2 * 142
    # 24 origin bits, bit 0 not among them: the first block continues its parent's epoch and
    # the span covers 24 L1 origin changes.
    assert span.origin_changed_bit is False
    assert span.starting_epoch_num() == 20089770 - 24 == 20089746
    assert span.get_block_epoch_num(142) == 20089770
    assert span.tx_count() == 1766
    assert span.check_origin_hash(bytes.fromhex("4bd8da85bfabf4daa6a3f294d3d51dd927c6cbcb") + b"\x00" * 12)
    assert not span.check_parent_hash(b"\x00" * 32)
    # derived -> raw -> bytes is the original batch
    assert encode_batch(span) == mainnet_batch_bytes


def test_mainnet_span_batch_txs_are_signed_for_chain_10(mainnet_span: SpanBatch) -> None:
    """Recovering the senders with chain id 10 links txs of one account by consecutive nonces,
    across legacy (EIP-155) and EIP-1559 txs: only the right chain id gives the right senders."""
    by_sender: dict[bytes, list[tuple[int, int]]] = defaultdict(list)
    for element in mainnet_span.batches[:20]:
        for tx in element.transactions:
            sender, signed = _sender(tx)
            by_sender[sender].append((signed.tx_type, signed.nonce))
    assert len(by_sender) == 159
    repeated = {s: v for s, v in by_sender.items() if len(v) > 1}
    assert len(repeated) == 42
    for txs in repeated.values():
        nonces = sorted(n for _, n in txs)
        assert nonces == list(range(nonces[0], nonces[0] + len(nonces)))
    mixed = by_sender[bytes.fromhex("45966ff172c2f7d86fe8797370b4a840b57a2f43")]
    assert mixed == [(0, 197), (2, 198)]
    assert by_sender[bytes.fromhex("ebe80f029b1c02862b9e8a70a7e5317c06f62cae")] == [
        (2, n) for n in range(1552973, 1552979)
    ]


def test_mainnet_span_batch_wrong_chain_id_breaks_senders(mainnet_batch_bytes: bytes) -> None:
    raw = decode_batch(mainnet_batch_bytes)
    assert isinstance(raw, RawSpanBatch)
    span = raw.derive(OP_MAINNET_BLOCK_TIME, OP_MAINNET_GENESIS_L2_TIME, 8453)
    senders = {_sender(tx)[0] for element in span.batches[:20] for tx in element.transactions}
    assert bytes.fromhex("45966ff172c2f7d86fe8797370b4a840b57a2f43") not in senders
    # packing the txs for chain 10 fails: their EIP-155/typed chain id is now 8453
    with pytest.raises(BatchError, match="chain id 8453, expected 10"):
        SpanBatch.from_singular_batches(
            [SingleBatch(b"\x00" * 32, 1, b"\x00" * 32, 2, span.batches[0].transactions)], 0, 10
        )


def test_mainnet_span_batch_singular_batches(mainnet_span: SpanBatch) -> None:
    span = mainnet_span
    origins = [
        BlockInfo(keccak256(n.to_bytes(8, "big")), n, keccak256((n - 1).to_bytes(8, "big")), 0)
        for n in range(20089740, 20089771)
    ]
    # The safe head is the 10th block of the span: the first 10 blocks are skipped.
    safe_ts = span.get_block_timestamp(9)
    safe_head = L2BlockInfo(
        BlockInfo(b"\x11" * 32, 121382939, b"\x22" * 32, safe_ts),
        BlockID(origins[0].hash, span.get_block_epoch_num(9)),
        0,
    )
    singles = span.get_singular_batches(origins, safe_head)
    assert len(singles) == 133
    assert singles[0].parent_hash == b"\x11" * 32
    assert all(s.parent_hash == b"\x00" * 32 for s in singles[1:])
    for single, element in zip(singles, span.batches[10:], strict=True):
        assert single.timestamp == element.timestamp
        assert single.epoch_num == element.epoch_num
        assert single.epoch_hash == keccak256(element.epoch_num.to_bytes(8, "big"))
        assert single.transactions == element.transactions
