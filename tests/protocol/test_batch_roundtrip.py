"""Property tests: every batch encode/decode pair round-trips, and singular batches survive the
trip through a span batch (pack, encode, decode, derive, split)."""

from __future__ import annotations

import dataclasses
from itertools import accumulate

from eth_keys import keys
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.protocol.batch import (
    ACCESS_LIST_TX_TYPE,
    DYNAMIC_FEE_TX_TYPE,
    LEGACY_TX_TYPE,
    SET_CODE_TX_TYPE,
    Authorization,
    RawSpanBatch,
    SignedTx,
    SingleBatch,
    SpanBatch,
    SpanBatchTxData,
    SpanBatchTxs,
    decode_batch,
    encode_batch,
)
from mauna.protocol.batch.bitlist import decode_bitlist, encode_bitlist
from mauna.protocol.batch.wire import ByteReader, encode_uvarint

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = [keys.PrivateKey(keccak256(b"mauna batch test key" + bytes([i]))) for i in range(4)]

u64 = st.integers(0, 2**64 - 1)
u256 = st.integers(0, 2**256 - 1)
small = st.integers(0, 2**64)
address = st.binary(min_size=20, max_size=20)
hash32 = st.binary(min_size=32, max_size=32)
calldata = st.binary(max_size=64)
access_lists = st.lists(st.tuples(address, st.lists(hash32, max_size=2).map(tuple)), max_size=2).map(tuple)
authorizations = st.lists(
    st.builds(
        Authorization,
        chain_id=u256,
        address=address,
        nonce=u64,
        y_parity=st.integers(0, 1),
        r=u256,
        s=u256,
    ),
    max_size=2,
).map(tuple)
TX_KINDS: tuple[int | str, ...] = (
    "legacy",
    "legacy-eip155",
    ACCESS_LIST_TX_TYPE,
    DYNAMIC_FEE_TX_TYPE,
    SET_CODE_TX_TYPE,
)


@st.composite
def signed_txs(draw: st.DrawFn, chain_id: int) -> SignedTx:
    """A transaction of any batchable kind, signed for ``chain_id`` by one of KEYS."""
    kind: int | str = draw(st.sampled_from(TX_KINDS))
    tx_type: int = LEGACY_TX_TYPE if isinstance(kind, str) else kind
    to = draw(address) if tx_type == SET_CODE_TX_TYPE else draw(st.none() | address)
    unsigned = SignedTx(
        tx_type=tx_type,
        chain_id=None if kind == "legacy" else chain_id,
        nonce=draw(u64),
        gas_limit=draw(u64),
        to=to,
        value=draw(small),
        data=draw(calldata),
        y_parity=0,
        r=0,
        s=0,
        gas_price=draw(small) if tx_type in (LEGACY_TX_TYPE, ACCESS_LIST_TX_TYPE) else 0,
        max_priority_fee_per_gas=draw(small) if tx_type >= DYNAMIC_FEE_TX_TYPE else 0,
        max_fee_per_gas=draw(small) if tx_type >= DYNAMIC_FEE_TX_TYPE else 0,
        access_list=draw(access_lists) if tx_type != LEGACY_TX_TYPE else (),
        authorization_list=draw(authorizations) if tx_type == SET_CODE_TX_TYPE else (),
    )
    key = draw(st.sampled_from(KEYS))
    sig = key.sign_msg_hash(unsigned.signing_hash())
    return dataclasses.replace(unsigned, y_parity=sig.v, r=sig.r, s=sig.s)


def _sender(tx: SignedTx) -> bytes:
    sig = keys.Signature(vrs=(tx.y_parity, tx.r, tx.s))
    return sig.recover_public_key_from_msg_hash(tx.signing_hash()).to_canonical_address()


@SETTINGS
@given(data=st.data(), chain_id=st.integers(1, 2**64 - 1))
def test_signed_tx_roundtrip_and_sender(data: st.DataObject, chain_id: int) -> None:
    tx = data.draw(signed_txs(chain_id))
    encoded = tx.encode()
    if tx.tx_type == LEGACY_TX_TYPE:
        assert encoded[0] >= 0xC0
    else:
        assert encoded[0] == tx.tx_type
    decoded = SignedTx.decode(encoded)
    assert decoded == tx
    assert decoded.encode() == encoded
    assert _sender(decoded) in {k.public_key.to_canonical_address() for k in KEYS}


@SETTINGS
@given(data=st.data())
def test_span_tx_data_roundtrip(data: st.DataObject) -> None:
    tx = data.draw(signed_txs(10))
    tx_data = SpanBatchTxData.from_signed_tx(tx)
    encoded = tx_data.encode()
    assert SpanBatchTxData.decode(encoded) == tx_data
    rebuilt = tx_data.to_signed_tx(
        nonce=tx.nonce,
        gas=tx.gas_limit,
        to=tx.to,
        chain_id=10,
        y_parity=tx.y_parity,
        r=tx.r,
        s=tx.s,
        protected=tx.protected,
    )
    assert rebuilt == tx


@SETTINGS
@given(
    parent=hash32,
    epoch_num=u64,
    epoch_hash=hash32,
    timestamp=u64,
    txs=st.lists(st.binary(max_size=80), max_size=5).map(tuple),
)
def test_single_batch_roundtrip(
    parent: bytes, epoch_num: int, epoch_hash: bytes, timestamp: int, txs: tuple[bytes, ...]
) -> None:
    batch = SingleBatch(parent, epoch_num, epoch_hash, timestamp, txs)
    encoded = batch.encode()
    assert encoded[0] == 0
    assert SingleBatch.decode(encoded) == batch
    assert decode_batch(encoded) == batch
    assert encode_batch(batch) == encoded
    assert batch.epoch() == BlockID(epoch_hash, epoch_num)


@SETTINGS
@given(bit_length=st.integers(0, 300), data=st.data())
def test_bitlist_roundtrip(bit_length: int, data: st.DataObject) -> None:
    bits = data.draw(st.integers(0, 2**bit_length - 1))
    encoded = encode_bitlist(bits, bit_length, what="bits")
    assert len(encoded) == (bit_length + 7) // 8
    reader = ByteReader(encoded + b"\xff")
    assert decode_bitlist(reader, bit_length, what="bits") == bits
    assert reader.remaining == 1


@SETTINGS
@given(value=u64)
def test_uvarint_roundtrip(value: int) -> None:
    encoded = encode_uvarint(value)
    assert len(encoded) == max(1, (value.bit_length() + 6) // 7)
    reader = ByteReader(encoded)
    assert reader.read_uvarint("value") == value
    assert reader.remaining == 0


@SETTINGS
@given(data=st.data(), chain_id=st.integers(1, 2**40))
def test_span_batch_txs_roundtrip(data: st.DataObject, chain_id: int) -> None:
    txs = [tx.encode() for tx in data.draw(st.lists(signed_txs(chain_id), max_size=6))]
    packed = SpanBatchTxs.from_txs(txs, chain_id)
    encoded = packed.encode()
    reader = ByteReader(encoded)
    decoded = SpanBatchTxs.decode(reader, len(txs))
    assert reader.remaining == 0
    assert decoded == packed
    assert decoded.full_txs(chain_id) == tuple(txs)


@st.composite
def span_scenarios(draw: st.DrawFn) -> tuple[list[SingleBatch], int, int, int, int]:
    """Consecutive singular batches of one chain, with its genesis time, block time and chain id."""
    chain_id = draw(st.integers(1, 2**40))
    genesis = draw(st.integers(0, 2**32))
    block_time = draw(st.sampled_from([1, 2, 12]))
    count = draw(st.integers(1, 6))
    start = genesis + block_time * draw(st.integers(1, 10**6))
    first_epoch = draw(st.integers(1, 2**40))
    steps = draw(st.lists(st.integers(0, 1), min_size=count - 1, max_size=count - 1))
    epochs = list(accumulate([first_epoch, *steps]))
    batches = [
        SingleBatch(
            parent_hash=draw(hash32),
            epoch_num=epoch,
            epoch_hash=keccak256(epoch.to_bytes(8, "big")),
            timestamp=start + block_time * i,
            transactions=tuple(tx.encode() for tx in draw(st.lists(signed_txs(chain_id), max_size=3))),
        )
        for i, epoch in enumerate(epochs)
    ]
    seq_num = draw(st.integers(0, 3))
    return batches, genesis, block_time, chain_id, seq_num


@SETTINGS
@given(scenario=span_scenarios())
def test_singular_batches_through_span_batch(
    scenario: tuple[list[SingleBatch], int, int, int, int],
) -> None:
    batches, genesis, block_time, chain_id, seq_num = scenario
    span = SpanBatch.from_singular_batches(batches, genesis, chain_id, first_seq_num=seq_num)
    assert span.parent_check == batches[0].parent_hash[:20]
    assert span.l1_origin_check == batches[-1].epoch_hash[:20]

    data = encode_batch(span)
    assert data[0] == 1
    raw = decode_batch(data)
    assert isinstance(raw, RawSpanBatch)
    assert raw.encode() == data[1:]
    assert raw.l1_origin_num == batches[-1].epoch_num
    assert raw.rel_timestamp == batches[0].timestamp - genesis
    assert raw.origin_bits & 1 == (1 if seq_num == 0 else 0)
    assert raw.block_tx_counts == tuple(len(b.transactions) for b in batches)

    derived = raw.derive(block_time, genesis, chain_id)
    assert derived == span
    assert derived.to_raw() == raw

    first, last = batches[0].epoch_num, batches[-1].epoch_num
    origins = [
        BlockInfo(keccak256(n.to_bytes(8, "big")), n, HASH_ZERO, 0) for n in range(first - 1, last + 2)
    ]
    safe_head = L2BlockInfo(
        BlockInfo(batches[0].parent_hash, 1000, HASH_ZERO, batches[0].timestamp - block_time),
        BlockID(HASH_ZERO, first),
        seq_num,
    )
    singles = derived.get_singular_batches(origins, safe_head)
    expected = [batches[0]] + [dataclasses.replace(b, parent_hash=HASH_ZERO) for b in batches[1:]]
    assert singles == expected
