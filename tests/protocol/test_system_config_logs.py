"""SystemConfig ConfigUpdate logs (protocol/system-config.md and the fork system-config pages)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import SystemConfigError
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.receipt import Log, Receipt
from mauna.protocol.system_config_logs import (
    CONFIG_UPDATE_TOPIC,
    MAX_UINT32,
    BatcherUpdate,
    ConfigUpdate,
    DaFootprintGasScalarUpdate,
    EcotoneScalars,
    Eip1559ParamsUpdate,
    FeeScalarsUpdate,
    GasLimitUpdate,
    MinBaseFeeUpdate,
    OperatorFeeUpdate,
    SystemConfigUpdateType,
    UnsafeBlockSignerUpdate,
    apply_config_update,
    check_ecotone_scalar,
    decode_ecotone_scalar,
    encode_config_update_log,
    encode_ecotone_scalar,
    parse_config_update_log,
    update_system_config_from_receipts,
    update_system_config_from_receipts_with_errors,
)

SYSCFG_ADDR = bytes.fromhex("229047fed2591dbec1ef1118d64f7af3db9eb290")  # OP Mainnet SystemConfigProxy
ZERO32 = b"\x00" * 32

# OP Mainnet's genesis system config (registry/configs.json).
GENESIS = SystemConfig(
    batcher_address=bytes.fromhex("6887246668a3b87f54deb3b94ba47a6f63f32985"),
    overhead=0xBC,
    scalar=0xA6FE0,
    gas_limit=30_000_000,
)


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def log_of(update_type: int, data_hex: str, *, version: int = 0, address: bytes = SYSCFG_ADDR) -> Log:
    return Log(address, (CONFIG_UPDATE_TOPIC, word(version), word(update_type)), bytes.fromhex(data_hex))


def head(length: int) -> str:
    """Offset word 32 and the given length word, as hex."""
    return word(32).hex() + word(length).hex()


def apply_one(log: Log, config: SystemConfig = GENESIS, *, ecotone: bool = False) -> SystemConfig:
    return update_system_config_from_receipts(
        config, [Receipt(1, 21_000, (log,))], SYSCFG_ADDR, ecotone_active=ecotone
    )


def test_config_update_topic() -> None:
    # kona crates/protocol/genesis/src/system/mod.rs CONFIG_UPDATE_TOPIC
    assert CONFIG_UPDATE_TOPIC.hex() == "1d2b0bda21d56b8bd12d4f94ebacffdfb35f5e226f84b461103bb8beab6353be"
    assert [int(t) for t in SystemConfigUpdateType] == list(range(8))


# --- one hand-written log per update type -------------------------------------------------------------
# The data hex of types 0, 1, 2, 4 and 5 is transcribed from kona's system/config.rs tests.


def test_type0_batcher() -> None:
    data = head(32) + "000000000000000000000000000000000000000000000000000000000000beef"
    got = apply_one(log_of(0, data))
    assert got == SystemConfig(
        batcher_address=bytes.fromhex("000000000000000000000000000000000000beef"),
        overhead=0xBC,
        scalar=0xA6FE0,
        gas_limit=30_000_000,
    )


FEE_DATA = head(64) + word(0xBABE).hex() + word(0xBEEF).hex()


def test_type1_fee_scalars_pre_ecotone() -> None:
    got = apply_one(log_of(1, FEE_DATA), ecotone=False)
    assert (got.overhead, got.scalar) == (0xBABE, 0xBEEF)
    assert (got.base_fee_scalar, got.blob_base_fee_scalar) == (None, None)
    assert got.batcher_address == GENESIS.batcher_address


def test_type1_fee_scalars_post_ecotone_zeroes_overhead() -> None:
    got = apply_one(log_of(1, FEE_DATA), ecotone=True)
    assert (got.overhead, got.scalar) == (0, 0xBEEF)
    assert (got.base_fee_scalar, got.blob_base_fee_scalar) == (0xBEEF, 0)


def test_type1_fee_scalars_post_ecotone_version1() -> None:
    # OP Sepolia's post-Ecotone scalars (its L1-info txs carry 7600 / 862000).
    scalar = encode_ecotone_scalar(7600, 862000)
    assert scalar.to_bytes(32, "big").hex() == "01" + "00" * 23 + "000d2730" + "00001db0"
    got = apply_one(log_of(1, head(64) + word(0).hex() + word(scalar).hex()), ecotone=True)
    assert (got.overhead, got.scalar) == (0, scalar)
    assert (got.base_fee_scalar, got.blob_base_fee_scalar) == (7600, 862000)


@pytest.mark.parametrize(
    "scalar",
    [
        (0x00 << 248) | (1 << 40),  # version 0, padding byte set
        (0x01 << 248) | (1 << 200),  # version 1, padding byte set
        (0x02 << 248) | 5,  # unknown version
    ],
)
def test_type1_invalid_ecotone_scalar_is_ignored(scalar: int) -> None:
    before = apply_one(log_of(1, FEE_DATA), ecotone=True)
    log = log_of(1, head(64) + word(7).hex() + word(scalar).hex())
    config, errors = update_system_config_from_receipts_with_errors(
        before, [Receipt(1, 1, (log,))], SYSCFG_ADDR, ecotone_active=True
    )
    assert config == before
    assert errors == []  # ignored without error, as op-node does
    # Before Ecotone the same words are taken verbatim.
    assert apply_one(log, before, ecotone=False).scalar == scalar


def test_type2_gas_limit() -> None:
    data = head(32) + "000000000000000000000000000000000000000000000000000000000000beef"
    assert apply_one(log_of(2, data)).gas_limit == 0xBEEF


def test_type3_unsafe_block_signer() -> None:
    signer = bytes.fromhex("aaaa45d9549eda09e70937013520214382ffc4a2")
    got = apply_one(log_of(3, head(32) + "00" * 12 + signer.hex()))
    assert got.unsafe_block_signer == signer
    assert got.batcher_address == GENESIS.batcher_address


def test_type4_eip1559_params() -> None:
    data = head(32) + "000000000000000000000000000000000000000000000000" + "0000babe0000beef"
    got = apply_one(log_of(4, data))
    assert (got.eip1559_denominator, got.eip1559_elasticity) == (0xBABE, 0xBEEF)


def test_type4_eip1559_both_zero_allowed_but_not_one() -> None:
    got = apply_one(log_of(4, head(32) + word(0).hex()))
    assert (got.eip1559_denominator, got.eip1559_elasticity) == (0, 0)
    for bad in ((0 << 32) | 6, (250 << 32) | 0):
        with pytest.raises(SystemConfigError, match="both zero or both non-zero"):
            parse_config_update_log(log_of(4, head(32) + word(bad).hex()))


def test_type5_operator_fee() -> None:
    data = head(32) + "00000000000000000000000000000000000000000000babe000000000000beef"
    got = apply_one(log_of(5, data))
    assert (got.operator_fee_scalar, got.operator_fee_constant) == (0xBABE, 0xBEEF)


def test_type6_min_base_fee() -> None:
    got = apply_one(log_of(6, head(32) + word(1_000_000_000).hex()))
    assert got.min_base_fee == 1_000_000_000


def test_type7_da_footprint() -> None:
    got = apply_one(log_of(7, head(32) + word(312).hex()))
    assert got.da_footprint_gas_scalar == 312
    # Zero is stored as is; the L1-info builder substitutes the default.
    assert apply_one(log_of(7, head(32) + word(0).hex()), got).da_footprint_gas_scalar == 0


# --- strict parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("log", "message"),
    [
        (Log(SYSCFG_ADDR, (CONFIG_UPDATE_TOPIC, ZERO32), b""), "expected 3 topics"),
        (Log(SYSCFG_ADDR, (CONFIG_UPDATE_TOPIC, ZERO32, ZERO32, ZERO32), b""), "expected 3 topics"),
        (Log(SYSCFG_ADDR, (ZERO32, ZERO32, ZERO32), b""), "not ConfigUpdate"),
        (Log(SYSCFG_ADDR, (CONFIG_UPDATE_TOPIC, ZERO32, b"\x00"), b""), "topic 2 has 1 bytes"),
        (log_of(0, head(32) + word(1).hex(), version=1), "unknown event version 1"),
        (log_of(8, head(32) + word(1).hex()), "unknown update type 8"),
        (log_of(1 << 255, head(32) + word(1).hex()), "unknown update type"),
        (log_of(0, ""), "no offset word"),
        (log_of(0, word(32).hex()), "no length word"),
        (log_of(0, word(64).hex() + word(32).hex() + word(1).hex()), "offset word is 64"),
        (log_of(0, (b"\x01" + b"\x00" * 30 + b"\x20").hex() + word(32).hex()), "does not fit in uint64"),
        (log_of(0, head(31) + word(1).hex()), "length word is 31, expected 32"),
        (log_of(1, head(32) + word(1).hex()), "length word is 32, expected 64"),
        (log_of(2, head(32)), "payload needs 96"),
        (log_of(2, head(32) + word(1).hex() + "00"), "1 unexpected bytes"),
        (log_of(0, head(32) + "01" + "00" * 11 + "11" * 20), "non-zero padding"),
        (log_of(3, head(32) + "00" * 11 + "01" + "11" * 20), "non-zero padding"),
        (log_of(2, head(32) + word(1 << 64).hex()), "does not fit in uint64"),
        (log_of(6, head(32) + word(1 << 64).hex()), "does not fit in uint64"),
        (log_of(7, head(32) + word(1 << 16).hex()), "does not fit in uint16"),
    ],
)
def test_parse_rejects(log: Log, message: str) -> None:
    with pytest.raises(SystemConfigError, match=message):
        parse_config_update_log(log)


def test_ignored_word_bytes_as_op_node() -> None:
    # Bytes 0..24 of the EIP-1559 word and 0..20 of the operator-fee word are not inspected.
    eip = parse_config_update_log(log_of(4, head(32) + ("ff" * 24) + "0000000a00000006"))
    assert eip == Eip1559ParamsUpdate(10, 6)
    op = parse_config_update_log(log_of(5, head(32) + ("ff" * 20) + "00000003" + "0000000000000004"))
    assert op == OperatorFeeUpdate(3, 4)


# --- receipts ---------------------------------------------------------------------------------------


def test_update_from_receipts_filters_and_skips() -> None:
    gas = log_of(2, head(32) + word(60_000_000).hex())
    batcher = log_of(0, head(32) + "00" * 12 + "22" * 20)
    receipts = [
        Receipt(0, 1, (log_of(2, head(32) + word(1).hex()),)),  # failed tx: ignored
        Receipt(1, 2, (log_of(2, head(32) + word(2).hex(), address=b"\x01" * 20),)),  # other contract
        Receipt(1, 3, (Log(SYSCFG_ADDR, (b"\x02" * 32,), b""), Log(SYSCFG_ADDR, (), b""))),  # other events
        Receipt(1, 4, (gas, log_of(2, head(32) + word(1 << 64).hex()), batcher)),  # middle one malformed
    ]
    config, errors = update_system_config_from_receipts_with_errors(
        GENESIS, receipts, SYSCFG_ADDR, ecotone_active=True
    )
    assert config.gas_limit == 60_000_000
    assert config.batcher_address == b"\x22" * 20
    assert len(errors) == 1
    assert "receipt 3, log 1" in str(errors[0])
    assert update_system_config_from_receipts(GENESIS, receipts, SYSCFG_ADDR, ecotone_active=True) == config


def test_updates_apply_in_order() -> None:
    logs = tuple(log_of(2, head(32) + word(v).hex()) for v in (10, 20, 30))
    assert apply_one(logs[0]).gas_limit == 10
    got = update_system_config_from_receipts(
        GENESIS, [Receipt(1, 1, logs[:2]), Receipt(1, 2, logs[2:])], SYSCFG_ADDR, ecotone_active=False
    )
    assert got.gas_limit == 30


# --- Post-Ecotone scalar encoding -------------------------------------------------------------------


def test_decode_ecotone_scalar() -> None:
    assert decode_ecotone_scalar(0xA6FE0) == EcotoneScalars(0xA6FE0, 0)
    assert decode_ecotone_scalar(encode_ecotone_scalar(1368, 810949)) == EcotoneScalars(1368, 810949)
    # Version 0 with non-zero padding: baseFeeScalar is MaxUint32 (system-config.md).
    assert decode_ecotone_scalar((1 << 100) | 5) == EcotoneScalars(MAX_UINT32, 0)
    with pytest.raises(SystemConfigError, match="unknown scalar version 2"):
        decode_ecotone_scalar(2 << 248)
    with pytest.raises(SystemConfigError, match="version 1 padding"):
        decode_ecotone_scalar((1 << 248) | (1 << 192))
    with pytest.raises(SystemConfigError, match="version 0 padding"):
        check_ecotone_scalar((1 << 100) | 5)


# --- round trips and fuzz ---------------------------------------------------------------------------

addresses = st.binary(min_size=20, max_size=20)
updates: st.SearchStrategy[ConfigUpdate] = st.one_of(
    st.builds(BatcherUpdate, addresses),
    st.builds(FeeScalarsUpdate, st.integers(0, (1 << 256) - 1), st.integers(0, (1 << 256) - 1)),
    st.builds(GasLimitUpdate, st.integers(0, (1 << 64) - 1)),
    st.builds(UnsafeBlockSignerUpdate, addresses),
    st.builds(Eip1559ParamsUpdate, st.integers(1, (1 << 32) - 1), st.integers(1, (1 << 32) - 1)),
    st.builds(OperatorFeeUpdate, st.integers(0, (1 << 32) - 1), st.integers(0, (1 << 64) - 1)),
    st.builds(MinBaseFeeUpdate, st.integers(0, (1 << 64) - 1)),
    st.builds(DaFootprintGasScalarUpdate, st.integers(0, (1 << 16) - 1)),
)


@settings(max_examples=300, deadline=None)
@given(updates)
def test_config_update_log_roundtrip(update: ConfigUpdate) -> None:
    log = encode_config_update_log(update, SYSCFG_ADDR)
    assert log.topics[2] == word(int(update.update_type))
    assert parse_config_update_log(log) == update
    assert type(update).decode(update.encode()) == update
    # Applying never raises and touches only the field(s) of its type.
    apply_config_update(GENESIS, update, ecotone_active=False)
    apply_config_update(GENESIS, update, ecotone_active=True)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, (1 << 32) - 1), st.integers(0, (1 << 32) - 1))
def test_ecotone_scalar_roundtrip(base: int, blob: int) -> None:
    scalar = encode_ecotone_scalar(base, blob)
    check_ecotone_scalar(scalar)
    assert decode_ecotone_scalar(scalar) == EcotoneScalars(base, blob)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 9), st.binary(max_size=200), st.integers(0, 2))
def test_fuzz_random_data_raises_only_system_config_error(kind: int, data: bytes, version: int) -> None:
    log = Log(SYSCFG_ADDR, (CONFIG_UPDATE_TOPIC, word(version), word(kind)), data)
    with contextlib.suppress(SystemConfigError):
        parse_config_update_log(log)
    update_system_config_from_receipts(GENESIS, [Receipt(1, 0, (log,))], SYSCFG_ADDR, ecotone_active=True)


@settings(max_examples=300, deadline=None)
@given(updates, st.data())
def test_fuzz_mutated_logs(update: ConfigUpdate, data: st.DataObject) -> None:
    raw = bytearray(update.encode())
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw) + 1))
    mutated = bytes(raw[:cut]) if cut <= len(raw) else bytes(raw) + b"\x00"
    log = Log(SYSCFG_ADDR, encode_config_update_log(update, SYSCFG_ADDR).topics, mutated)
    try:
        parsed = parse_config_update_log(log)
    except SystemConfigError:
        return
    assert type(parsed) is type(update)
