"""Deposit logs, source hashes and address aliasing (protocol/deposits.md)."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import DepositError
from mauna.primitives.receipt import Log, Receipt
from mauna.protocol.deposits import (
    DEPOSIT_EVENT_TOPIC,
    DEPOSIT_EVENT_VERSION_0,
    DepositTx,
    apply_l1_to_l2_alias,
    decode_deposit_log,
    deposits_from_receipts,
    encode_deposit_log,
    l1_info_deposit_source_hash,
    undo_l1_to_l2_alias,
    upgrade_deposit_source_hash,
    user_deposit_source_hash,
)

PORTAL = bytes.fromhex("beb5fc579115071764c7423a4f12edde41f106ed")  # OP Mainnet OptimismPortalProxy
ZERO32 = b"\x00" * 32


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def addr_topic(address: bytes) -> bytes:
    return b"\x00" * 12 + address


# --- constants and source hashes (known vectors) --------------------------------------------------


def test_deposit_event_topic_is_the_known_hash() -> None:
    # kona crates/protocol/protocol/src/deposits.rs DEPOSIT_EVENT_ABI_HASH
    assert DEPOSIT_EVENT_TOPIC.hex() == "b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32"
    assert DEPOSIT_EVENT_VERSION_0 == 0


def test_user_deposit_source_hash_vector() -> None:
    # viem src/chains/opStack/utils/computeSourceHash.test.ts ("userDeposit")
    block = bytes.fromhex("9ba3933dc6ce43c145349770a39c30f9b647f17668f004bd2e05c80a2e7262f7")
    got = user_deposit_source_hash(block, 196)
    assert got.hex() == "d0868c8764d81f1749edb7dec4a550966963540d9fe50aefce8cdb38ea7b2213"


def test_l1_info_source_hash_vector() -> None:
    # viem computeSourceHash.test.ts ("l1InfoDeposit")
    block = bytes.fromhex("9ba3933dc6ce43c145349770a39c30f9b647f17668f004bd2e05c80a2e7262f7")
    got = l1_info_deposit_source_hash(block, 1)
    assert got.hex() == "722c43232e2f9dc07ebc07a02a3056993a2ed1328a1c81377ea99d135af39536"


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        # op-node rollup/derive/deposit_source_test.go
        (
            "Ecotone: L1 Block Proxy Update",
            "18acb38c5ff1c238a7460ebc1b421fa49ec4874bdf1e0a530d234104e5e67dbc",
        ),
        (
            "Ecotone: beacon block roots contract deployment",
            "69b763c48478b9dc2f65ada09b3d92133ec592ea715ec65ad6e7f3dc519dc00c",
        ),
    ],
)
def test_upgrade_source_hash_vectors(intent: str, expected: str) -> None:
    assert upgrade_deposit_source_hash(intent).hex() == expected


# --- address aliasing -----------------------------------------------------------------------------


def test_alias_known_l1_cross_domain_messenger() -> None:
    # OP Mainnet L1CrossDomainMessenger and its well-known L2 alias.
    l1 = bytes.fromhex("25ace71c97b33cc4729cf772ae268934f7ab5fa1")
    l2 = bytes.fromhex("36bde71c97b33cc4729cf772ae268934f7ab70b2")
    assert apply_l1_to_l2_alias(l1) == l2
    assert undo_l1_to_l2_alias(l2) == l1


def test_alias_wraps_around_160_bits() -> None:
    assert apply_l1_to_l2_alias(b"\xff" * 20).hex() == "1111000000000000000000000000000000001110"
    assert undo_l1_to_l2_alias(b"\x00" * 20).hex() == "eeeeffffffffffffffffffffffffffffffffeeef"


@pytest.mark.parametrize("bad", [b"", b"\x01" * 19, b"\x01" * 21])
def test_alias_rejects_non_addresses(bad: bytes) -> None:
    with pytest.raises(DepositError, match="20-byte address"):
        apply_l1_to_l2_alias(bad)
    with pytest.raises(DepositError, match="20-byte address"):
        undo_l1_to_l2_alias(bad)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=20, max_size=20))
def test_alias_roundtrip(address: bytes) -> None:
    assert undo_l1_to_l2_alias(apply_l1_to_l2_alias(address)) == address
    assert apply_l1_to_l2_alias(undo_l1_to_l2_alias(address)) == address


# --- decode_deposit_log: kona's vectors -------------------------------------------------------------


def test_decode_kona_empty_deposit_vector() -> None:
    # kona deposits.rs test_decode_deposit_empty_succeeds: 192 bytes of data, opaque length 128.
    data = bytearray(192)
    data[24:32] = (32).to_bytes(8, "big")
    data[56:64] = (128).to_bytes(8, "big")
    topics = (
        DEPOSIT_EVENT_TOPIC,
        addr_topic(b"\xff" * 20),
        addr_topic(b"\xbb" * 20),
        ZERO32,
    )
    tx = decode_deposit_log(Log(b"\x00" * 20, topics, bytes(data)), ZERO32, 0)
    expected = bytes.fromhex(
        "7ef887a0ed428e1c45e1d9561b62834e1a2d3015a0caae3bfdc16b4da059ac885b01a14594ffffffffffffffffffff"
        "ffffffffffffffffffff94bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb80808080b7" + "00" * 55
    )
    assert tx.encode() == expected
    assert tx.to == b"\xbb" * 20
    assert tx.data == b"\x00" * 55


def test_decode_kona_full_deposit_vector() -> None:
    # kona deposits.rs test_decode_deposit_full_succeeds: mint 10, value 100, gas 1000, creation.
    data = bytearray(192)
    data[24:32] = (32).to_bytes(8, "big")
    data[56:64] = (128).to_bytes(8, "big")
    data[80:96] = (10).to_bytes(16, "big")
    data[96:128] = word(100)
    data[128:136] = (1000).to_bytes(8, "big")
    data[136] = 1
    topics = (
        DEPOSIT_EVENT_TOPIC,
        addr_topic(b"\x11" * 20),
        addr_topic(b"\x22" * 20),
        ZERO32,
    )
    tx = decode_deposit_log(Log(b"\x00" * 20, topics, bytes(data)), ZERO32, 0)
    expected = bytes.fromhex(
        "7ef875a0ed428e1c45e1d9561b62834e1a2d3015a0caae3bfdc16b4da059ac885b01a1459411111111111111111111"
        "11111111111111111111800a648203e880b7" + "00" * 55
    )
    assert tx.encode() == expected
    assert (tx.mint, tx.value, tx.gas, tx.to, tx.is_system_tx) == (10, 100, 1000, None, False)


def hand_log(
    *,
    mint: int = 5,
    value: int = 7,
    gas: int = 100_000,
    creation: int = 0,
    calldata: bytes = b"\xca\xfe",
    to: bytes = b"\x22" * 20,
) -> Log:
    opaque = word(mint) + word(value) + gas.to_bytes(8, "big") + bytes([creation]) + calldata
    data = word(32) + word(len(opaque)) + opaque + b"\x00" * (-len(opaque) % 32)
    topics = (DEPOSIT_EVENT_TOPIC, addr_topic(b"\x11" * 20), addr_topic(to), ZERO32)
    return Log(PORTAL, topics, data)


def test_decode_hand_written_log() -> None:
    block = bytes(range(32))
    tx = decode_deposit_log(hand_log(), block, 9)
    assert tx == DepositTx(
        source_hash=user_deposit_source_hash(block, 9),
        from_=b"\x11" * 20,
        to=b"\x22" * 20,
        mint=5,
        value=7,
        gas=100_000,
        is_system_tx=False,
        data=b"\xca\xfe",
    )


def test_any_non_zero_creation_byte_means_creation() -> None:
    assert decode_deposit_log(hand_log(creation=2), ZERO32, 0).to is None
    assert decode_deposit_log(hand_log(creation=0), ZERO32, 0).to == b"\x22" * 20


def _mutate(log: Log, *, topics: tuple[bytes, ...] | None = None, data: bytes | None = None) -> Log:
    return Log(log.address, log.topics if topics is None else topics, log.data if data is None else data)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda lg: _mutate(lg, topics=lg.topics[:3]), "expected 4 topics"),
        (lambda lg: _mutate(lg, topics=(ZERO32, *lg.topics[1:])), "not the TransactionDeposited"),
        (lambda lg: _mutate(lg, topics=(*lg.topics[:3], word(1))), "unknown deposit version 1"),
        (lambda lg: _mutate(lg, topics=(*lg.topics[:3], b"\x00" * 31)), "topic 3 has 31 bytes"),
        (lambda lg: _mutate(lg, data=lg.data[:63]), "too short"),
        (lambda lg: _mutate(lg, data=lg.data + b"\x00"), "not a multiple of 32"),
        (lambda lg: _mutate(lg, data=word(64) + lg.data[32:]), "offset is 64"),
        (lambda lg: _mutate(lg, data=word(1 << 255) + lg.data[32:]), "offset is"),
        (lambda lg: _mutate(lg, data=lg.data[:32] + word(1 << 64) + lg.data[64:]), "exceeds uint64"),
        (lambda lg: _mutate(lg, data=lg.data[:32] + word(500) + lg.data[64:]), "exceeds the 96 bytes"),
        (lambda lg: _mutate(lg, data=lg.data + ZERO32), "not minimal"),
        (lambda lg: _mutate(lg, data=lg.data[:32] + word(64) + lg.data[64:128]), "expected at least 73"),
    ],
)
def test_decode_rejects_malformed_logs(make: Callable[[Log], Log], message: str) -> None:
    log = make(hand_log())
    with pytest.raises(DepositError, match=message) as info:
        decode_deposit_log(log, ZERO32, 41)
    assert "deposit log 41" in str(info.value)


def test_decode_rejects_bad_block_hash() -> None:
    with pytest.raises(DepositError, match="L1 block hash has 31 bytes"):
        decode_deposit_log(hand_log(), b"\x00" * 31, 0)


def test_encode_matches_hand_written_log() -> None:
    tx = decode_deposit_log(hand_log(), ZERO32, 0)
    assert encode_deposit_log(tx, PORTAL) == hand_log()


def test_encode_rejects_unrepresentable_deposits() -> None:
    base = decode_deposit_log(hand_log(), ZERO32, 0)
    with pytest.raises(DepositError, match="system transaction"):
        encode_deposit_log(dataclasses.replace(base, is_system_tx=True), PORTAL)
    with pytest.raises(DepositError, match="64 bits"):
        encode_deposit_log(dataclasses.replace(base, gas=1 << 64), PORTAL)
    with pytest.raises(DepositError, match="contract address"):
        encode_deposit_log(base, b"\x00" * 19)


def _fields(tx: DepositTx) -> list[object]:
    return [tx.source_hash, tx.from_, tx.to, tx.mint, tx.value, tx.gas, tx.is_system_tx, tx.data]


# --- round trips and fuzz -------------------------------------------------------------------------

deposits = st.builds(
    DepositTx,
    source_hash=st.just(ZERO32),
    from_=st.binary(min_size=20, max_size=20),
    to=st.none() | st.binary(min_size=20, max_size=20),
    mint=st.integers(0, (1 << 256) - 1),
    value=st.integers(0, (1 << 256) - 1),
    gas=st.integers(0, (1 << 64) - 1),
    is_system_tx=st.just(False),
    data=st.binary(max_size=200),
)


@settings(max_examples=200, deadline=None)
@given(deposits, st.binary(min_size=32, max_size=32), st.integers(0, 10_000))
def test_deposit_log_roundtrip(tx: DepositTx, block: bytes, index: int) -> None:
    log = encode_deposit_log(tx, PORTAL)
    assert len(log.data) % 32 == 0
    decoded = decode_deposit_log(log, block, index)
    assert decoded.source_hash == user_deposit_source_hash(block, index)
    assert _fields(decoded)[1:] == _fields(tx)[1:]
    assert encode_deposit_log(decoded, PORTAL) == log
    # The deposit tx itself round-trips through its envelope too.
    assert DepositTx.decode(decoded.encode()) == decoded


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.binary(min_size=0, max_size=40), max_size=6),
    st.binary(max_size=300),
)
def test_fuzz_random_logs_raise_only_deposit_error(topics: list[bytes], data: bytes) -> None:
    log = Log(PORTAL, tuple(topics), data)
    with contextlib.suppress(DepositError):
        decode_deposit_log(log, ZERO32, 0)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fuzz_mutated_logs_raise_only_deposit_error(data: st.DataObject) -> None:
    log = hand_log(calldata=data.draw(st.binary(max_size=70)))
    raw = bytearray(log.data)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    mutated = bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw)
    try:
        tx = decode_deposit_log(Log(log.address, log.topics, mutated), ZERO32, 3)
    except DepositError:
        return
    assert tx.from_ == b"\x11" * 20


# --- deposits_from_receipts -----------------------------------------------------------------------


def test_deposits_from_receipts_filters_and_counts_every_log() -> None:
    block = bytes.fromhex("aa" * 32)
    other = b"\x99" * 20
    unrelated = Log(other, (DEPOSIT_EVENT_TOPIC,), b"")  # right topic, wrong contract
    wrong_topic = Log(PORTAL, (b"\x01" * 32,), b"")  # right contract, another event
    no_topics = Log(PORTAL, (), b"")
    receipts = [
        Receipt(status=1, cumulative_gas_used=1, logs=(unrelated, hand_log(mint=1))),  # logs 0, 1
        Receipt(status=0, cumulative_gas_used=2, logs=(hand_log(mint=2),)),  # log 2, failed tx
        Receipt(status=1, cumulative_gas_used=3, logs=(wrong_topic, no_topics, hand_log(mint=3))),  # 3-5
        Receipt(status=1, cumulative_gas_used=4, logs=()),
        Receipt(status=1, cumulative_gas_used=5, logs=(hand_log(mint=4, creation=1),)),  # log 6
    ]
    out = deposits_from_receipts(receipts, PORTAL, block)
    assert [tx.mint for tx in out] == [1, 3, 4]
    assert [tx.source_hash for tx in out] == [user_deposit_source_hash(block, i) for i in (1, 5, 6)]
    assert out[2].to is None


def test_deposits_from_receipts_raises_on_malformed_deposit() -> None:
    bad = Log(PORTAL, (DEPOSIT_EVENT_TOPIC, ZERO32, ZERO32), b"")
    receipts = [Receipt(1, 1, (hand_log(),)), Receipt(1, 2, (Log(b"\x00" * 20, (), b""), bad))]
    with pytest.raises(DepositError, match="deposit log 2"):
        deposits_from_receipts(receipts, PORTAL, ZERO32)


def test_deposits_from_receipts_empty() -> None:
    assert deposits_from_receipts([], PORTAL, ZERO32) == []


def test_fuzz_receipts_seeded() -> None:
    rng = random.Random(1234)
    for _ in range(200):
        logs = tuple(
            Log(
                PORTAL,
                (DEPOSIT_EVENT_TOPIC, *[rng.randbytes(32) for _ in range(rng.randint(0, 4))]),
                rng.randbytes(rng.choice([0, 32, 64, 96, 160, 192])),
            )
            for _ in range(rng.randint(0, 3))
        )
        with contextlib.suppress(DepositError):
            deposits_from_receipts([Receipt(1, 0, logs)], PORTAL, ZERO32)
