"""Focused checks of the batch codecs: wire primitives, limits, errors and conversion rules."""

from __future__ import annotations

import dataclasses

import pytest
import rlp
from eth_keys import keys

from mauna.errors import BatchError, TransactionError
from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.protocol.batch import (
    DYNAMIC_FEE_TX_TYPE,
    LEGACY_TX_TYPE,
    MAX_SPAN_BATCH_ELEMENT_COUNT,
    SET_CODE_TX_TYPE,
    RawSpanBatch,
    SignedTx,
    SingleBatch,
    SpanBatch,
    SpanBatchElement,
    SpanBatchTxData,
    SpanBatchTxs,
    decode_batch,
    encode_batch,
)
from mauna.protocol.batch.bitlist import decode_bitlist, encode_bitlist
from mauna.protocol.batch.tx import split_legacy_v
from mauna.protocol.batch.wire import ByteReader, encode_uvarint, rlp_nesting_exceeds

KEY = keys.PrivateKey(keccak256(b"mauna unit key"))
PREFIX = encode_uvarint(5) + encode_uvarint(100) + b"\xaa" * 20 + b"\xbb" * 20


def _sign(tx: SignedTx) -> SignedTx:
    sig = KEY.sign_msg_hash(tx.signing_hash())
    return dataclasses.replace(tx, y_parity=sig.v, r=sig.r, s=sig.s)


def _tx(tx_type: int = DYNAMIC_FEE_TX_TYPE, chain_id: int | None = 10, **kw: object) -> SignedTx:
    fields: dict[str, object] = dict(
        tx_type=tx_type,
        chain_id=chain_id,
        nonce=3,
        gas_limit=21000,
        to=b"\x42" * 20,
        value=7,
        data=b"\x01\x02",
        y_parity=0,
        r=0,
        s=0,
        gas_price=5 if tx_type == LEGACY_TX_TYPE else 0,
        max_priority_fee_per_gas=1 if tx_type != LEGACY_TX_TYPE else 0,
        max_fee_per_gas=9 if tx_type != LEGACY_TX_TYPE else 0,
    )
    fields.update(kw)
    return _sign(SignedTx(**fields))  # type: ignore[arg-type]


def _span_payload(block_counts: list[int], txs: bytes) -> bytes:
    out = PREFIX + encode_uvarint(len(block_counts)) + encode_bitlist(0, len(block_counts), what="o")
    return out + b"".join(encode_uvarint(c) for c in block_counts) + txs


# --- uvarint and bitlists -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (2**64 - 1, "ff" * 9 + "01")],
)
def test_uvarint_vectors(value: int, encoded: str) -> None:
    assert encode_uvarint(value).hex() == encoded
    assert ByteReader(bytes.fromhex(encoded)).read_uvarint("v") == value


def test_uvarint_non_minimal_is_accepted_like_op_node() -> None:
    assert ByteReader(b"\x80\x00").read_uvarint("v") == 0
    assert ByteReader(b"\x81\x80\x00").read_uvarint("v") == 1


def test_uvarint_errors() -> None:
    with pytest.raises(BatchError, match="block_count: uvarint at offset 0 overflows 64 bits"):
        ByteReader(b"\xff" * 9 + b"\x02").read_uvarint("block_count")
    with pytest.raises(BatchError, match="overflows"):
        ByteReader(b"\xff" * 11).read_uvarint("v")
    with pytest.raises(BatchError, match="tx_nonces: truncated uvarint"):
        ByteReader(b"\x80").read_uvarint("tx_nonces")
    with pytest.raises(BatchError, match="does not fit"):
        encode_uvarint(2**64)


def test_bitlist_layout_big_endian() -> None:
    # bit i is bit i of a big-endian integer: bits 0 and 8 of a 9-bit list
    assert encode_bitlist(0b1_0000_0001, 9, what="b") == b"\x01\x01"
    assert encode_bitlist(0b101, 3, what="b") == b"\x05"
    assert encode_bitlist(0, 0, what="b") == b""
    assert decode_bitlist(ByteReader(b"\x01\x01"), 9, what="b") == 0b1_0000_0001


def test_bitlist_errors_name_the_field() -> None:
    with pytest.raises(BatchError, match="origin_bits: bitlist has 4 bits, but at most 3 allowed"):
        decode_bitlist(ByteReader(b"\x08"), 3, what="origin_bits")
    with pytest.raises(BatchError, match="y_parity_bits: needs 2 bytes, 1 remaining"):
        decode_bitlist(ByteReader(b"\x08"), 16, what="y_parity_bits")
    with pytest.raises(BatchError, match="protected_bits"):
        encode_bitlist(0b10000, 4, what="protected_bits")


# --- span batch decoding limits and errors --------------------------------------------------------
def test_span_batch_empty_and_oversized_block_count() -> None:
    with pytest.raises(BatchError, match="block_count: 0"):
        RawSpanBatch.decode(PREFIX + encode_uvarint(0))
    with pytest.raises(BatchError, match="block_count: 10000001 exceeds MAX_SPAN_BATCH_ELEMENT_COUNT"):
        RawSpanBatch.decode(PREFIX + encode_uvarint(MAX_SPAN_BATCH_ELEMENT_COUNT + 1))


def test_span_batch_tx_count_limits() -> None:
    with pytest.raises(BatchError, match=r"block_tx_counts\[1\]: 10000001 exceeds"):
        RawSpanBatch.decode(_span_payload([1, MAX_SPAN_BATCH_ELEMENT_COUNT + 1], b""))
    half = MAX_SPAN_BATCH_ELEMENT_COUNT // 2 + 1
    with pytest.raises(BatchError, match="block_tx_counts: total 10000002 exceeds"):
        RawSpanBatch.decode(_span_payload([half, half], b""))


def test_span_batch_truncations_name_the_field() -> None:
    with pytest.raises(BatchError, match="parent_check: needs 20 bytes, 3 remaining"):
        RawSpanBatch.decode(encode_uvarint(5) + encode_uvarint(1) + b"abc")
    with pytest.raises(BatchError, match=r"tx_sigs \(2 signatures\): needs 128 bytes"):
        RawSpanBatch.decode(_span_payload([2], b"\x00\x00" + b"\x11" * 70))
    with pytest.raises(BatchError, match=r"origin_bits: bitlist has 3 bits"):
        RawSpanBatch.decode(PREFIX + encode_uvarint(2) + b"\x04")


def _one_tx_section(tx_data: bytes, legacy: bool = False) -> bytes:
    # creation bits 0, y parity 0, one signature, one `to`, the data, nonce, gas, protected bits
    section = b"\x00\x00" + b"\x01" * 64 + b"\x42" * 20 + tx_data + b"\x03" + b"\x05"
    return section + (b"\x00" if legacy else b"")


def test_span_batch_rejects_unbatchable_tx_types() -> None:
    for tx_type in (0x00, 0x03, 0x05, 0x7E):
        data = _span_payload([1], _one_tx_section(bytes([tx_type]) + rlp.encode([1, 2])))
        with pytest.raises(BatchError, match=f"tx 0: tx_datas: unsupported transaction type 0x{tx_type:02x}"):
            RawSpanBatch.decode(data)
    with pytest.raises(BatchError, match="tx 0: tx_datas: expected an RLP list"):
        RawSpanBatch.decode(_span_payload([1], _one_tx_section(b"\x02\x83abc")))


def test_span_batch_tx_data_rlp_framing() -> None:
    # a list claiming 10,000,000 payload bytes exceeds the per-tx limit before any data is read
    huge = b"\xfa" + (10_000_000).to_bytes(3, "big")
    with pytest.raises(BatchError, match="exceeds 10000000"):
        RawSpanBatch.decode(_span_payload([1], _one_tx_section(huge)))
    with pytest.raises(BatchError, match="non-canonical RLP list size 3"):
        RawSpanBatch.decode(_span_payload([1], _one_tx_section(b"\xf8\x03\x01\x02\x03")))


def test_span_batch_trailing_bytes_ignored_and_size_limit() -> None:
    tx = _tx()
    span = SpanBatch(b"\xaa" * 20, b"\xbb" * 20, 0, 10, (SpanBatchElement(100, 5, (tx.encode(),)),))
    encoded = span.to_raw().encode()
    assert RawSpanBatch.decode(encoded + b"\xde\xad") == span.to_raw()
    assert RawSpanBatch.decode(encoded, max_size=len(encoded)) == span.to_raw()
    with pytest.raises(BatchError, match="exceed the size limit"):
        RawSpanBatch.decode(encoded, max_size=len(encoded) - 1)


def test_span_batch_derive_rules() -> None:
    txs = [_tx(nonce=n).encode() for n in range(3)]
    raw = RawSpanBatch(
        rel_timestamp=10,
        l1_origin_num=50,
        parent_check=b"\x01" * 20,
        l1_origin_check=b"\x02" * 20,
        block_count=4,
        origin_bits=0b1011,
        block_tx_counts=(0, 2, 0, 1),
        txs=SpanBatchTxs.from_txs(txs, 10),
    )
    span = raw.derive(block_time=2, genesis_timestamp=1000, chain_id=10)
    # bits 3 and 1 step back (bit 0 never does): origins 48, 49, 49, 50
    assert [b.epoch_num for b in span.batches] == [48, 49, 49, 50]
    assert [b.timestamp for b in span.batches] == [1010, 1012, 1014, 1016]
    assert [b.transactions for b in span.batches] == [(), tuple(txs[:2]), (), (txs[2],)]
    assert span.origin_changed_bit is True
    assert span.to_raw() == raw
    with pytest.raises(BatchError, match="l1_origin_num 1 is smaller than the number of L1 origin changes"):
        dataclasses.replace(raw, l1_origin_num=1).derive(2, 1000, 10)
    with pytest.raises(BatchError, match="block_tx_counts sum to 4, but txs holds 3"):
        dataclasses.replace(raw, block_tx_counts=(1, 2, 0, 1)).encode()


def test_span_batch_legacy_v_and_protected_bits() -> None:
    protected = _tx(LEGACY_TX_TYPE, chain_id=10)
    unprotected = _tx(LEGACY_TX_TYPE, chain_id=None)
    assert protected.v in (55, 56)
    assert unprotected.v in (27, 28)
    packed = SpanBatchTxs.from_txs([unprotected.encode(), protected.encode(), _tx().encode()], 10)
    assert packed.protected_bits == 0b10
    assert packed.y_parity_bits == unprotected.y_parity | protected.y_parity << 1 | _tx().y_parity << 2
    assert packed.tx_types == (0, 0, 2)
    assert packed.full_txs(10) == (unprotected.encode(), protected.encode(), _tx().encode())
    # with another chain id the protected legacy tx gets another v, the unprotected one does not
    other = packed.full_txs(11)
    assert other[0] == unprotected.encode()
    assert SignedTx.decode(other[1]).v == 2 * 11 + 35 + protected.y_parity


def test_span_batch_contract_creation_and_set_code() -> None:
    creation = _tx(to=None)
    packed = SpanBatchTxs.from_txs([creation.encode(), _tx().encode()], 10)
    assert packed.contract_creation_bits == 0b01
    assert packed.tx_tos == (b"\x42" * 20,)
    assert packed.full_txs(10)[0] == creation.encode()
    set_code = _tx(SET_CODE_TX_TYPE)
    packed = SpanBatchTxs.from_txs([set_code.encode()], 10)
    assert packed.full_txs(10) == (set_code.encode(),)
    as_creation = dataclasses.replace(packed, contract_creation_bits=1, tx_tos=())
    with pytest.raises(
        BatchError, match="span batch tx 0: a SetCode transaction cannot be a contract creation"
    ):
        as_creation.full_txs(10)


def test_span_batch_bad_tx_data_fails_at_derive() -> None:
    bad = rlp.encode([1, 2, b"", b"extra"])  # a legacy tx data has exactly 3 fields
    txs = SpanBatchTxs(0, 0, ((1, 1),), (b"\x42" * 20,), (bad,), (0,), (21000,), 0)
    with pytest.raises(BatchError, match="span batch tx 0: tx_datas: expected 3 fields, got 4"):
        txs.full_txs(10)
    negative_value = SpanBatchTxData(DYNAMIC_FEE_TX_TYPE, -1, b"")
    with pytest.raises(BatchError, match="value"):
        negative_value.encode()


# --- building span batches from singular batches ------------------------------------------------
def _single(ts: int, epoch: int, txs: tuple[bytes, ...] = ()) -> SingleBatch:
    return SingleBatch(b"\x0f" * 32, epoch, keccak256(epoch.to_bytes(8, "big")), ts, txs)


def test_from_singular_batches_checks() -> None:
    with pytest.raises(BatchError, match="empty"):
        SpanBatch.from_singular_batches([], 0, 10)
    with pytest.raises(BatchError, match="batch 1 timestamp 10 is not increasing"):
        SpanBatch.from_singular_batches([_single(10, 1), _single(10, 1)], 0, 10)
    with pytest.raises(BatchError, match="block 1 changes L1 origin number by 2"):
        SpanBatch.from_singular_batches([_single(10, 1), _single(12, 3)], 0, 10)
    with pytest.raises(BatchError, match="protected tx has chain id 10, expected 11"):
        SpanBatch.from_singular_batches([_single(10, 1, (_tx().encode(),))], 0, 11)
    deposit = b"\x7e" + rlp.encode([b"\x00" * 32])
    with pytest.raises(BatchError, match="span batch tx 0: tx: unsupported transaction type 0x7e"):
        SpanBatch.from_singular_batches([_single(10, 1, (deposit,))], 0, 10)
    blob = b"\x03" + rlp.encode([1])
    with pytest.raises(BatchError, match="unsupported transaction type 0x03"):
        SpanBatch.from_singular_batches([_single(10, 1, (blob,))], 0, 10)
    # an unprotected legacy tx carries no chain id and packs for any chain
    legacy = _tx(LEGACY_TX_TYPE, chain_id=None).encode()
    span = SpanBatch.from_singular_batches([_single(10, 1, (legacy,))], 0, 11, first_seq_num=2)
    assert span.origin_changed_bit is False
    assert span.to_raw().origin_bits == 0
    with pytest.raises(BatchError, match="before genesis"):
        SpanBatch.from_singular_batches([_single(10, 1)], 11, 10).to_raw()


def test_get_singular_batches() -> None:
    batches = [_single(10, 5), _single(12, 5), _single(14, 6)]
    span = SpanBatch.from_singular_batches(batches, 0, 10)
    origins = [BlockInfo(keccak256(n.to_bytes(8, "big")), n, HASH_ZERO, 0) for n in (4, 5, 6)]
    head = L2BlockInfo(BlockInfo(b"\x33" * 32, 9, HASH_ZERO, 10), BlockID(HASH_ZERO, 5), 0)
    singles = span.get_singular_batches(origins, head)
    assert [(s.timestamp, s.epoch_num) for s in singles] == [(12, 5), (14, 6)]
    assert [s.parent_hash for s in singles] == [b"\x33" * 32, HASH_ZERO]
    assert [s.epoch_hash for s in singles] == [origins[1].hash, origins[2].hash]
    late = L2BlockInfo(BlockInfo(b"\x33" * 32, 9, HASH_ZERO, 14), BlockID(HASH_ZERO, 6), 0)
    assert span.get_singular_batches(origins, late) == []
    with pytest.raises(BatchError, match="unable to find L1 origin for epoch number 6"):
        span.get_singular_batches(origins[:2], head)


# --- singular batches and the batch envelope --------------------------------------------------------
def test_single_batch_known_encoding() -> None:
    batch = SingleBatch(b"\x01" * 32, 2, b"\x03" * 32, 4, (b"\x05\x06",))
    expected = b"\x00" + rlp.encode([b"\x01" * 32, 2, b"\x03" * 32, 4, [b"\x05\x06"]])
    assert batch.encode() == expected
    assert SingleBatch.decode(expected + b"\x99\x99") == batch  # trailing bytes ignored
    assert batch.epoch() == BlockID(b"\x03" * 32, 2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (rlp.encode([b"\x01" * 32, 2, b"\x03" * 32, 4]), "expected 5 fields, got 4"),
        (rlp.encode([b"\x01" * 31, 2, b"\x03" * 32, 4, []]), "parent_hash must be a 32-byte string"),
        (rlp.encode([b"\x01" * 32, b"\x00\x02", b"\x03" * 32, 4, []]), "epoch_num is a non-canonical"),
        (rlp.encode([b"\x01" * 32, 2**64, b"\x03" * 32, 4, []]), "epoch_num does not fit in a uint64"),
        (rlp.encode([b"\x01" * 32, 2, b"\x03" * 32, 4, [[b"x"]]]), "transaction 0 must be a byte string"),
        (rlp.encode(b"abc"), "expected an RLP list"),
        (b"\xc5\x01", "RLP item of 6 bytes but only 2 available"),
    ],
)
def test_single_batch_decode_errors(body: bytes, message: str) -> None:
    with pytest.raises(BatchError, match=message):
        SingleBatch.decode(b"\x00" + body)


def test_decode_batch_envelope() -> None:
    with pytest.raises(BatchError, match="empty data"):
        decode_batch(b"")
    with pytest.raises(BatchError, match="unrecognized batch type 2"):
        decode_batch(b"\x02\xc0")
    with pytest.raises(BatchError, match="parent_hash must be 32 bytes"):
        SingleBatch(b"\x01", 0, b"\x00" * 32, 0, ()).encode()
    span = SpanBatch.from_singular_batches([_single(10, 1)], 0, 10)
    assert encode_batch(span) == b"\x01" + span.to_raw().encode()
    assert decode_batch(encode_batch(span)) == span.to_raw()


# --- signed transactions ---------------------------------------------------------------------------
def test_legacy_v_split() -> None:
    assert split_legacy_v(27) == (0, None)
    assert split_legacy_v(28) == (1, None)
    assert split_legacy_v(37) == (0, 1)
    assert split_legacy_v(38) == (1, 1)
    assert split_legacy_v(2 * 11155420 + 36) == (1, 11155420)
    with pytest.raises(TransactionError, match="invalid v 1"):
        split_legacy_v(1)


def test_signed_tx_decode_errors() -> None:
    with pytest.raises(TransactionError, match="empty"):
        SignedTx.decode(b"")
    with pytest.raises(TransactionError, match="unsupported transaction type 0x7e"):
        SignedTx.decode(b"\x7e\xc0")
    legacy = rlp.decode(_tx(LEGACY_TX_TYPE).encode())
    legacy[6] = b"\x01"
    with pytest.raises(TransactionError, match="invalid v 1"):
        SignedTx.decode(rlp.encode(legacy))
    typed = rlp.decode(_tx().encode()[1:])
    typed[9] = b"\x02"
    with pytest.raises(TransactionError, match="y_parity: must be 0 or 1, got 2"):
        SignedTx.decode(b"\x02" + rlp.encode(typed))
    set_code = rlp.decode(_tx(SET_CODE_TX_TYPE).encode()[1:])
    set_code[5] = b""
    with pytest.raises(TransactionError, match="SetCode transaction cannot be a contract creation"):
        SignedTx.decode(b"\x04" + rlp.encode(set_code))
    typed = rlp.decode(_tx().encode()[1:])
    typed[6] = b"\x00\x01"
    with pytest.raises(TransactionError, match="value: non-canonical integer"):
        SignedTx.decode(b"\x02" + rlp.encode(typed))
    with pytest.raises(TransactionError, match=r"[Tt]railing"):
        SignedTx.decode(_tx().encode() + b"\x00")


def test_signed_tx_signing_hash_recovers_sender() -> None:
    expected = KEY.public_key.to_canonical_address()
    for tx in (_tx(LEGACY_TX_TYPE, None), _tx(LEGACY_TX_TYPE, 10), _tx(1, 10, gas_price=3), _tx(), _tx(4)):
        sig = keys.Signature(vrs=(tx.y_parity, tx.r, tx.s))
        assert sig.recover_public_key_from_msg_hash(tx.signing_hash()).to_canonical_address() == expected
        assert tx.tx_hash() == keccak256(tx.encode())


def _nested(depth: int) -> bytes:
    item = b"\xc0"
    for _ in range(depth):
        n = len(item)
        if n < 56:
            item = bytes([0xC0 + n]) + item
        else:
            size = n.to_bytes((n.bit_length() + 7) // 8, "big")
            item = bytes([0xF7 + len(size)]) + size + item
    return item


def test_deeply_nested_rlp_is_rejected_before_decoding() -> None:
    # 30,000 levels crash a recursive RLP decoder; the nesting guard rejects them first.
    bomb = _nested(30_000)
    assert rlp_nesting_exceeds(bomb)
    assert not rlp_nesting_exceeds(rlp.encode([1, [[b"\x01" * 20, [b"\x02" * 32]]]]))
    with pytest.raises(TransactionError, match="nested deeper than 16 levels"):
        SignedTx.decode(b"\x02" + bomb)
    with pytest.raises(TransactionError, match="nested deeper"):
        SignedTx.decode(bomb)
    with pytest.raises(BatchError, match="nested deeper"):
        SpanBatchTxData.decode(b"\x01" + bomb)
    with pytest.raises(BatchError, match="single batch: RLP lists nested deeper"):
        SingleBatch.decode(b"\x00" + bomb)
    txs = SpanBatchTxs(0, 0, ((1, 1),), (b"\x42" * 20,), (bomb,), (0,), (21000,), 0)
    raw = RawSpanBatch(0, 0, b"\x00" * 20, b"\x00" * 20, 1, 0, (1,), txs)
    decoded = RawSpanBatch.decode(raw.encode())
    with pytest.raises(BatchError, match="span batch tx 0: tx_datas: RLP lists nested deeper"):
        decoded.derive(2, 0, 10)
