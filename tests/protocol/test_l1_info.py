"""L1 attributes deposited transactions (protocol/deposits.md, ecotone/isthmus/jovian l1-attributes.md)."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import L1InfoError
from mauna.genesis.blob_schedule import (
    BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
    BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
    BlobScheduleEntry,
    L1BlobSchedule,
    calc_blob_base_fee,
)
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.bytes import from_hex
from mauna.primitives.header import Header
from mauna.protocol.deposits import DepositTx, l1_info_deposit_source_hash
from mauna.protocol.l1_info import (
    L1_BLOCK_ADDRESS,
    L1_INFO_DEPOSITOR_ADDRESS,
    L1BlockInfo,
    L1BlockInfoBedrock,
    L1BlockInfoEcotone,
    L1BlockInfoIsthmus,
    L1BlockInfoJovian,
    decode_l1_info,
    decode_l1_info_tx,
    l1_info_deposit_from_header,
    l1_info_deposit_tx,
    l1_info_from_header,
    l1_info_from_json,
)
from mauna.protocol.system_config_logs import FeeScalarsUpdate, apply_config_update, encode_ecotone_scalar

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
EXECUTOR = sorted((KONA / "executor").glob("block-*.json"))
HISTORY = sorted((KONA / "executor-history").glob("block-*.json.gz"))


def load_fixture(path: Path) -> dict[str, Any]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


# --- kona's calldata vectors ------------------------------------------------------------------------

VECTORS = json.loads((KONA / "vectors" / "l1_info_and_output_root.json").read_text())["l1_info_calldata"]
CLASSES = {
    "bedrock": L1BlockInfoBedrock,
    "ecotone": L1BlockInfoEcotone,
    "isthmus": L1BlockInfoIsthmus,
}


@pytest.mark.parametrize("vector", VECTORS, ids=[v["fork"] for v in VECTORS])
def test_kona_vectors_decode_and_reencode(vector: dict[str, Any]) -> None:
    calldata = from_hex(vector["calldata"])
    assert len(calldata) == vector["length"]
    assert calldata[:4] == from_hex(vector["selector"])
    info = decode_l1_info(calldata)
    cls = CLASSES[vector["fork"]]
    assert type(info) is cls
    assert cls.decode_calldata(calldata) == info
    assert from_hex(vector["selector"]) == info.SELECTOR
    expected = dict(vector["decoded"])
    assert info.hash == from_hex(expected.pop("block_hash"))
    assert info.batcher_hash == b"\x00" * 12 + from_hex(expected.pop("batcher_address"))
    for name, value in expected.items():
        assert getattr(info, name) == value, name
    assert info.encode_calldata() == calldata
    assert l1_info_from_json(info.to_json()) == info


def test_selectors_and_lengths() -> None:
    assert L1BlockInfoBedrock.SELECTOR.hex() == "015d8eb9" and L1BlockInfoBedrock.LENGTH == 260
    assert L1BlockInfoEcotone.SELECTOR.hex() == "440a5e20" and L1BlockInfoEcotone.LENGTH == 164
    assert L1BlockInfoIsthmus.SELECTOR.hex() == "098999be" and L1BlockInfoIsthmus.LENGTH == 176
    assert L1BlockInfoJovian.SELECTOR.hex() == "3db6be2b" and L1BlockInfoJovian.LENGTH == 178


def test_jovian_calldata_layout() -> None:
    # The Isthmus vector's fields plus a DA footprint gas scalar, laid out per jovian/l1-attributes.md.
    isthmus = decode_l1_info(from_hex(VECTORS[2]["calldata"]))
    assert isinstance(isthmus, L1BlockInfoIsthmus)
    jovian = L1BlockInfoJovian(**dataclasses.asdict(isthmus), da_footprint_gas_scalar=0x0190)
    calldata = jovian.encode_calldata()
    assert calldata == bytes.fromhex("3db6be2b") + isthmus.encode_calldata()[4:] + b"\x01\x90"
    assert decode_l1_info(calldata) == jovian


# --- real L2 blocks: the first transaction of every executor fixture ---------------------------------


@pytest.mark.parametrize("path", EXECUTOR + HISTORY, ids=lambda p: p.name)
def test_fixture_l1_info_tx_reencodes(path: Path) -> None:
    fixture = load_fixture(path)
    payload = fixture["executing_payload"]
    raw = from_hex(payload["transactions"][0])
    tx, info = decode_l1_info_tx(raw)
    assert isinstance(info, L1BlockInfoEcotone)  # Holocene-era blocks, Isthmus not active
    assert (tx.from_, tx.to, tx.mint, tx.value) == (L1_INFO_DEPOSITOR_ADDRESS, L1_BLOCK_ADDRESS, 0, 0)
    assert tx.source_hash == l1_info_deposit_source_hash(info.hash, info.sequence_number)
    assert info.time <= int(payload["timestamp"], 16)
    rebuilt = l1_info_deposit_tx(info, regolith=True)
    assert rebuilt == tx
    assert rebuilt.encode() == raw
    assert l1_info_from_json(json.loads(json.dumps(info.to_json()))) == info


def test_fixture_values_26207960() -> None:
    raw = from_hex(
        load_fixture(KONA / "executor" / "block-26207960.json")["executing_payload"]["transactions"][0]
    )
    _, info = decode_l1_info_tx(raw)
    assert info.to_json() == {
        "fork": "ecotone",
        "number": 8085313,
        "time": 1744218384,
        "base_fee": 30570189,
        "hash": "0x9244875342f5e0c1624d00f249b1a7996137b1eb44bdf16396f98f76a1bec6fa",
        "sequence_number": 0,
        "batcher_hash": "0x0000000000000000000000008f23bb38f531600e5d8fddaaec41f13fab46e98c",
        "blob_base_fee": 1,
        "base_fee_scalar": 7600,
        "blob_base_fee_scalar": 862000,
    }


# --- strict decoding --------------------------------------------------------------------------------

BEDROCK = from_hex(VECTORS[0]["calldata"])
ECOTONE = from_hex(VECTORS[1]["calldata"])
ISTHMUS = from_hex(VECTORS[2]["calldata"])


def patched(data: bytes, pos: int, value: int) -> bytes:
    out = bytearray(data)
    out[pos] = value
    return bytes(out)


@pytest.mark.parametrize(
    ("calldata", "message"),
    [
        (b"", "too short for a selector"),
        (b"\x01\x5d\x8e", "too short for a selector"),
        (b"\xde\xad\xbe\xef" + b"\x00" * 160, "unknown selector 0xdeadbeef"),
        (BEDROCK[:-1], "259 bytes, expected 260"),
        (BEDROCK + b"\x00", "261 bytes, expected 260"),
        (ECOTONE[:6], "6 bytes, expected 164"),
        (ISTHMUS + b"\x00", "177 bytes, expected 176"),
        (patched(BEDROCK, 4, 1), r"number word .* non-zero padding"),
        (patched(BEDROCK, 36 + 23, 1), r"time word .* non-zero padding"),
        (patched(BEDROCK, 4 + 4 * 32, 1), r"sequence number word .* non-zero padding"),
        (patched(BEDROCK, 4 + 5 * 32, 1), r"batcher hash .* non-zero padding"),
        (patched(ECOTONE, 132, 1), r"batcher hash .* non-zero padding"),
        (patched(ISTHMUS, 143, 1), r"batcher hash .* non-zero padding"),
    ],
)
def test_decode_rejects(calldata: bytes, message: str) -> None:
    with pytest.raises(L1InfoError, match=message):
        decode_l1_info(calldata)


def test_class_decoder_checks_its_own_selector() -> None:
    with pytest.raises(L1InfoError, match="selector 0x440a5e20, expected 0x098999be"):
        L1BlockInfoIsthmus.decode_calldata(ECOTONE + b"\x00" * 12)


def test_decode_l1_info_tx_rejects_non_l1_info_txs() -> None:
    info = decode_l1_info(ECOTONE)
    good = l1_info_deposit_tx(info, regolith=True)
    wrong_to = dataclasses.replace(good, to=b"\x42" * 20)
    with pytest.raises(L1InfoError, match="not the L1Block predeploy"):
        decode_l1_info_tx(wrong_to.encode())
    wrong_from = dataclasses.replace(good, from_=b"\x01" * 20)
    with pytest.raises(L1InfoError, match="not the L1 attributes depositor"):
        decode_l1_info_tx(wrong_from.encode())
    with pytest.raises(L1InfoError, match="L1 info tx: deposit tx: type byte 0x02"):
        decode_l1_info_tx(b"\x02" + good.encode()[1:])
    with pytest.raises(L1InfoError, match="unknown selector"):
        decode_l1_info_tx(dataclasses.replace(good, data=b"\x00" * 164).encode())


def test_construction_validates_fields() -> None:
    info = L1BlockInfoEcotone.decode_calldata(ECOTONE)
    with pytest.raises(L1InfoError, match=r"base_fee_scalar .* is not a uint32"):
        dataclasses.replace(info, base_fee_scalar=1 << 32)
    with pytest.raises(L1InfoError, match="hash must be 32 bytes"):
        dataclasses.replace(info, hash=b"\x00" * 31)
    with pytest.raises(L1InfoError, match="not a version-0 batcher hash"):
        dataclasses.replace(info, batcher_hash=b"\x01" + b"\x00" * 31)


def test_from_json_errors() -> None:
    good = decode_l1_info(ECOTONE).to_json()
    with pytest.raises(L1InfoError, match="missing key 'hash'"):
        L1BlockInfoEcotone.from_json({k: v for k, v in good.items() if k != "hash"})
    with pytest.raises(L1InfoError, match="unknown keys"):
        L1BlockInfoEcotone.from_json({**good, "extra": 1})
    with pytest.raises(L1InfoError, match="fork is 'bedrock'"):
        L1BlockInfoEcotone.from_json({**good, "fork": "bedrock"})
    with pytest.raises(L1InfoError, match="unknown fork"):
        l1_info_from_json({**good, "fork": "fjord"})
    with pytest.raises(L1InfoError, match="invalid hex"):
        L1BlockInfoEcotone.from_json({**good, "hash": "0xzz"})
    # Quantities may also be given as hex strings.
    assert L1BlockInfoEcotone.from_json({**good, "number": hex(good["number"])}).number == good["number"]


# --- hypothesis round trips and fuzz -----------------------------------------------------------------

u16 = st.integers(0, (1 << 16) - 1)
u32 = st.integers(0, (1 << 32) - 1)
u64 = st.integers(0, (1 << 64) - 1)
u256 = st.integers(0, (1 << 256) - 1)
hashes = st.binary(min_size=32, max_size=32)
batcher_hashes = st.binary(min_size=20, max_size=20).map(lambda a: b"\x00" * 12 + a)
common = {
    "number": u64,
    "time": u64,
    "base_fee": u256,
    "hash": hashes,
    "sequence_number": u64,
    "batcher_hash": batcher_hashes,
}
ecotone_fields = {**common, "blob_base_fee": u256, "base_fee_scalar": u32, "blob_base_fee_scalar": u32}
isthmus_fields = {**ecotone_fields, "operator_fee_scalar": u32, "operator_fee_constant": u64}
infos: st.SearchStrategy[L1BlockInfo] = st.one_of(
    st.builds(L1BlockInfoBedrock, **common, l1_fee_overhead=u256, l1_fee_scalar=u256),
    st.builds(L1BlockInfoEcotone, **ecotone_fields),
    st.builds(L1BlockInfoIsthmus, **isthmus_fields),
    st.builds(L1BlockInfoJovian, **isthmus_fields, da_footprint_gas_scalar=u16),
)


@settings(max_examples=300, deadline=None)
@given(infos, st.booleans())
def test_roundtrip(info: L1BlockInfo, regolith: bool) -> None:
    calldata = info.encode_calldata()
    assert len(calldata) == info.LENGTH
    assert type(info).decode_calldata(calldata) == info
    assert decode_l1_info(calldata) == info
    assert type(info).from_json(info.to_json()) == info
    assert l1_info_from_json(json.loads(json.dumps(info.to_json()))) == info
    tx = l1_info_deposit_tx(info, regolith=regolith)
    assert (tx.gas, tx.is_system_tx) == ((1_000_000, False) if regolith else (150_000_000, True))
    assert decode_l1_info_tx(tx.encode()) == (tx, info)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_calldata(data: bytes) -> None:
    try:
        info = decode_l1_info(data)
    except L1InfoError:
        return
    assert info.encode_calldata() == data


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([BEDROCK, ECOTONE, ISTHMUS]), st.data())
def test_fuzz_mutated_calldata(base: bytes, data: st.DataObject) -> None:
    raw = bytearray(base)
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    mutated = bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw)
    try:
        info = decode_l1_info(mutated)
    except L1InfoError:
        return
    assert info.encode_calldata() == mutated


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_tx_bytes(raw: bytes) -> None:
    with contextlib.suppress(L1InfoError):
        decode_l1_info_tx(b"\x7e" + raw)


# --- building from an L1 header ----------------------------------------------------------------------

FIXTURE = load_fixture(KONA / "executor" / "block-26207960.json")
SEPOLIA = RollupConfig.from_kona_json(FIXTURE["rollup_config"])  # OP Sepolia
GENESIS_TIME = SEPOLIA.genesis.l2_time
BT = SEPOLIA.block_time
FORK_NAMES = ("regolith", "canyon", "delta", "ecotone", "fjord", "granite", "holocene", "isthmus", "jovian")


def config_with(**times: int | None) -> RollupConfig:
    """The OP Sepolia config with the given fork times and every other one unset."""
    all_times: dict[str, int | None] = {f"{name}_time": None for name in FORK_NAMES}
    all_times.update({f"{k}_time": v for k, v in times.items()})
    return SEPOLIA.with_hardfork_times(**all_times, interop_time=None, pectra_blob_schedule_time=None)


def l1_header(
    *, number: int = 100, timestamp: int = 1_700_000_000, excess: int | None = None, prague: bool = False
) -> Header:
    return Header(
        parent_hash=b"\x01" * 32,
        ommers_hash=b"\x02" * 32,
        beneficiary=b"\x03" * 20,
        state_root=b"\x04" * 32,
        transactions_root=b"\x05" * 32,
        receipts_root=b"\x06" * 32,
        logs_bloom=b"\x00" * 256,
        difficulty=0,
        number=number,
        gas_limit=30_000_000,
        gas_used=1,
        timestamp=timestamp,
        extra_data=b"",
        mix_hash=b"\x07" * 32,
        nonce=b"\x00" * 8,
        base_fee_per_gas=7_000_000_000,
        withdrawals_root=b"\x08" * 32,
        blob_gas_used=None if excess is None else 0,
        excess_blob_gas=excess,
        parent_beacon_block_root=None if excess is None else b"\x09" * 32,
        requests_hash=b"\x0a" * 32 if prague else None,
    )


SYSCFG = SystemConfig(
    batcher_address=b"\x8f" * 20,
    overhead=188,
    scalar=encode_ecotone_scalar(1368, 810949),
    gas_limit=30_000_000,
    operator_fee_scalar=43981,
    operator_fee_constant=56506,
)
HEADER = l1_header()


def test_pre_regolith_bedrock() -> None:
    cfg = config_with()
    info, tx = l1_info_deposit_from_header(cfg, SYSCFG, 3, HEADER, GENESIS_TIME + 10)
    assert info == L1BlockInfoBedrock(
        number=100,
        time=1_700_000_000,
        base_fee=7_000_000_000,
        hash=HEADER.hash(),
        sequence_number=3,
        batcher_hash=b"\x00" * 12 + b"\x8f" * 20,
        l1_fee_overhead=188,
        l1_fee_scalar=SYSCFG.scalar,
    )
    assert tx == DepositTx(
        source_hash=l1_info_deposit_source_hash(HEADER.hash(), 3),
        from_=L1_INFO_DEPOSITOR_ADDRESS,
        to=L1_BLOCK_ADDRESS,
        mint=0,
        value=0,
        gas=150_000_000,
        is_system_tx=True,
        data=info.encode_calldata(),
    )


def test_regolith_bedrock_gas() -> None:
    _, tx = l1_info_deposit_from_header(config_with(regolith=0), SYSCFG, 0, HEADER, GENESIS_TIME + 10)
    assert (tx.gas, tx.is_system_tx) == (1_000_000, False)


def fork_kind(cfg: RollupConfig, ts: int, syscfg: SystemConfig = SYSCFG) -> str:
    return l1_info_from_header(cfg, syscfg, 0, HEADER, ts).FORK


def test_fork_first_block_rules() -> None:
    e = GENESIS_TIME + 100 * BT
    i = e + 50 * BT
    j = i + 50 * BT
    cfg = config_with(
        regolith=0, canyon=0, delta=0, ecotone=e, fjord=e, granite=e, holocene=e, isthmus=i, jovian=j
    )
    assert fork_kind(cfg, e - BT) == "bedrock"
    assert fork_kind(cfg, e) == "bedrock"  # Ecotone activation block
    assert fork_kind(cfg, e + BT) == "ecotone"
    assert fork_kind(cfg, i - BT) == "ecotone"
    assert fork_kind(cfg, i) == "ecotone"  # Isthmus activation block
    assert fork_kind(cfg, i + BT) == "isthmus"
    assert fork_kind(cfg, j) == "isthmus"  # Jovian activation block
    assert fork_kind(cfg, j + BT) == "jovian"


def test_forks_active_at_genesis_use_their_format_at_once() -> None:
    cfg = config_with(
        regolith=0, canyon=0, delta=0, ecotone=0, fjord=0, granite=0, holocene=0, isthmus=0, jovian=0
    )
    assert fork_kind(cfg, GENESIS_TIME + BT) == "jovian"
    cfg = config_with(regolith=0, canyon=0, delta=0, ecotone=0)
    assert fork_kind(cfg, GENESIS_TIME + BT) == "ecotone"


def test_isthmus_and_jovian_at_the_same_block() -> None:
    t = GENESIS_TIME + 10 * BT
    cfg = config_with(
        regolith=0, canyon=0, delta=0, ecotone=0, fjord=0, granite=0, holocene=0, isthmus=t, jovian=t
    )
    assert fork_kind(cfg, t) == "ecotone"
    assert fork_kind(cfg, t + BT) == "jovian"


ALL_AT_GENESIS = config_with(
    regolith=0, canyon=0, delta=0, ecotone=0, fjord=0, granite=0, holocene=0, isthmus=0, jovian=0
)
TS = GENESIS_TIME + 1000


def jovian(info: L1BlockInfo) -> L1BlockInfoJovian:
    assert isinstance(info, L1BlockInfoJovian)
    return info


def test_jovian_fields_and_da_footprint_default() -> None:
    info = l1_info_from_header(ALL_AT_GENESIS, SYSCFG, 2, HEADER, TS)
    assert info == L1BlockInfoJovian(
        number=100,
        time=1_700_000_000,
        base_fee=7_000_000_000,
        hash=HEADER.hash(),
        sequence_number=2,
        batcher_hash=b"\x00" * 12 + b"\x8f" * 20,
        blob_base_fee=1,  # no excess_blob_gas: pre-Cancun L1
        base_fee_scalar=1368,
        blob_base_fee_scalar=810949,
        operator_fee_scalar=43981,
        operator_fee_constant=56506,
        da_footprint_gas_scalar=400,
    )
    zero = dataclasses.replace(SYSCFG, da_footprint_gas_scalar=0)
    assert jovian(l1_info_from_header(ALL_AT_GENESIS, zero, 2, HEADER, TS)).da_footprint_gas_scalar == 400
    set_ = dataclasses.replace(SYSCFG, da_footprint_gas_scalar=17)
    assert jovian(l1_info_from_header(ALL_AT_GENESIS, set_, 2, HEADER, TS)).da_footprint_gas_scalar == 17


def test_isthmus_operator_fee_defaults_to_zero() -> None:
    cfg = config_with(regolith=0, canyon=0, delta=0, ecotone=0, fjord=0, granite=0, holocene=0, isthmus=0)
    bare = dataclasses.replace(SYSCFG, operator_fee_scalar=None, operator_fee_constant=None)
    info = l1_info_from_header(cfg, bare, 0, HEADER, TS)
    assert isinstance(info, L1BlockInfoIsthmus)
    assert (info.operator_fee_scalar, info.operator_fee_constant) == (0, 0)


@pytest.mark.parametrize(
    ("syscfg", "expected"),
    [
        (SystemConfig(scalar=0xA6FE0), (0xA6FE0, 0)),  # version 0
        (SystemConfig(scalar=(1 << 100) | 0xA6FE0), (0xFFFFFFFF, 0)),  # version 0, dirty padding
        (SystemConfig(scalar=encode_ecotone_scalar(5, 6)), (5, 6)),
        (SystemConfig(scalar=0xA6FE0, base_fee_scalar=11, blob_base_fee_scalar=12), (11, 12)),  # explicit
        (SystemConfig(scalar=0xA6FE0, base_fee_scalar=11), (11, 0)),
    ],
)
def test_ecotone_scalars_from_system_config(syscfg: SystemConfig, expected: tuple[int, int]) -> None:
    info = l1_info_from_header(config_with(regolith=0, canyon=0, delta=0, ecotone=0), syscfg, 0, HEADER, TS)
    assert isinstance(info, L1BlockInfoEcotone)
    assert (info.base_fee_scalar, info.blob_base_fee_scalar) == expected


def test_unknown_scalar_version_is_an_error() -> None:
    with pytest.raises(L1InfoError, match="unknown scalar version 2"):
        l1_info_from_header(ALL_AT_GENESIS, SystemConfig(scalar=2 << 248), 0, HEADER, TS)


# Sepolia L1 block 10253939: excessBlobGas 226664020; with the Prague update fraction the blob base fee
# is 45441352348192177559 (op-node l1_block_info_test.go TestStripBPOBlobBaseFee).
EXCESS = 226_664_020
PRAGUE_FEE = 45_441_352_348_192_177_559
SCHEDULE = L1BlobSchedule(
    11155111,
    "sepolia-cancun-prague",
    (
        BlobScheduleEntry("cancun", 0, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN),
        BlobScheduleEntry("prague", 1_741_159_776, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE),
    ),
)


def test_blob_base_fee_prague_vector() -> None:
    header = l1_header(timestamp=1_771_010_016, excess=EXCESS, prague=True)
    info = l1_info_from_header(ALL_AT_GENESIS, SYSCFG, 0, header, TS, l1_blob_schedule=SCHEDULE)
    assert jovian(info).blob_base_fee == PRAGUE_FEE


def test_blob_base_fee_pectra_blob_schedule_keeps_cancun() -> None:
    header = l1_header(timestamp=1_741_200_000, excess=EXCESS, prague=True)
    late = ALL_AT_GENESIS.with_hardfork_times(pectra_blob_schedule_time=1_742_486_400)
    info = l1_info_from_header(late, SYSCFG, 0, header, TS, l1_blob_schedule=SCHEDULE)
    cancun_fee = calc_blob_base_fee(EXCESS, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN)
    assert cancun_fee != PRAGUE_FEE
    assert jovian(info).blob_base_fee == cancun_fee
    early = ALL_AT_GENESIS.with_hardfork_times(pectra_blob_schedule_time=1_741_100_000)
    info = l1_info_from_header(early, SYSCFG, 0, header, TS, l1_blob_schedule=SCHEDULE)
    assert jovian(info).blob_base_fee == calc_blob_base_fee(EXCESS, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE)


def test_rebuilds_fixture_l1_info_from_config() -> None:
    """OP Sepolia block 26207960: its genesis SystemConfig plus the (post-Ecotone) fee-scalar update
    gives the L1-info fields the real block carries; only the synthetic L1 header's hash differs."""
    _, real = decode_l1_info_tx(from_hex(FIXTURE["executing_payload"]["transactions"][0]))
    genesis_cfg = SEPOLIA.genesis.system_config
    assert genesis_cfg is not None
    syscfg = apply_config_update(
        genesis_cfg, FeeScalarsUpdate(0, encode_ecotone_scalar(7600, 862000)), ecotone_active=True
    )
    header = dataclasses.replace(
        l1_header(number=real.number, timestamp=real.time, excess=0, prague=True),
        base_fee_per_gas=real.base_fee,
    )
    l2_time = int(FIXTURE["executing_payload"]["timestamp"], 16)
    info, tx = l1_info_deposit_from_header(SEPOLIA, syscfg, real.sequence_number, header, l2_time)
    assert info == dataclasses.replace(real, hash=header.hash())
    assert tx == l1_info_deposit_tx(info, regolith=True)
