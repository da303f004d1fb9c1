"""L1 cost, FastLZ length, operator fee and DA footprint.

Vectors: op-geth core/types/rollup_cost_test.go (emptyTx costs, FlzCompressLen cases), op-revm /
kona L1-cost tests (0xFACADE cases and two real OP Mainnet transactions whose L1 fee the chain
recorded), and hand computations of the spec formulas.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.primitives.rlp_utils import rlp_encode
from mauna.protocol.fastlz import flz_compress_len
from mauna.protocol.fees import (
    DEFAULT_DA_FOOTPRINT_GAS_SCALAR,
    FeeParamsError,
    L1CostParams,
    block_da_footprint,
    da_footprint,
    da_usage_estimate,
    fjord_estimated_size_scaled,
    l1_cost,
    l1_cost_bedrock,
    l1_cost_ecotone,
    l1_cost_fjord,
    l1_cost_fjord_from_size,
    l1_gas_used_fjord,
    operator_fee,
    operator_fee_refund,
    rollup_data_gas_bedrock,
    zeros_and_ones,
)

# go-ethereum's transaction_test.go emptyTx: an unsigned legacy tx (nonce 0, gas price 0, gas 0,
# to 0x095e…2d87, value 0, no data, v = r = s = 0).
EMPTY_TX = rlp_encode(
    [b"", b"", b"", bytes.fromhex("095e7baea6a6c7c4c2dfeb977efac326af552d87"), b"", b"", b"", b"", b""]
)

# https://optimistic.etherscan.io/tx/0x8eb9dd4eb6d33f4dc25fb015919e4b1e9f7542f9b0322bf6622e268cd116b594
CONTRACT_CALL_TX = bytes.fromhex(
    "02f901550a758302df1483be21b88304743f94f80e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8"
    "e41ef24f3f000000000000000000000000000000000000000000000000000000000000006e0000000000000000000000"
    "00af88d065e77c8cc2239327c5edb3a432268e5831000000000000000000000000000000000000000000000000000000"
    "000003c1e500000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000a0000000000000000000000000000000000000000000000000000000"
    "00000000148c89ed219d02f1a5be012c689b4f5b731827bebe000000000000000000000000c001a033fd89cb37c31b2c"
    "ba46b6466e040c61fc9b2a3675a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f610222e71b7cec0644"
    "9cb922b93b6a12744e"
)

# Second tx of OP Mainnet Ecotone block 118024092:
# https://optimistic.etherscan.io/tx/0xa75ef696bf67439b4d5b61da85de9f3ceaa2e145abe982212101b244b63749c2
MAINNET_ECOTONE_TX = bytes.fromhex(
    "02f8b30a832253fc8402d11f39842c8a46398301388094dc6ff44d5d932cbd77b52e5612ba0529dc6226f180b844a9059cbb"
    "000000000000000000000000d43e02db81f4d46cdf8521f623d21ea0ec7562a50000000000000000000000000000000000000"
    "000000000008ac7230489e80000c001a02947e24750723b48f886931562c55d9e07f856d8e06468e719755e18bbc3a570a07"
    "84da9ce59fd7754ea5be6e17a86b348e441348cd48ace59d174772465eadbd1"
)

# Second tx of OP Mainnet Fjord block 124665056:
# https://optimistic.etherscan.io/tx/0x1059e8004daff32caa1f1b1ef97fe3a07a8cf40508f5b835b66d9420d87c4a4a
MAINNET_FJORD_TX = bytes.fromhex(
    "02f904940a8303fba78401d6d2798401db2b6d830493e0943e6f4f7866654c18f536170780344aa8772950b680b90424"
    "6a761202000000000000000000000000087000a300de7200382b55d40045000000e5d60e000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000001400000000000000000000000000000000000000000000000000000000000000001000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000003a0000000000000000000000000"
    "000000000000000000000000000000000000022482ad56cb000000000000000000000000000000000000000000000000"
    "000000000000002000000000000000000000000000000000000000000000000000000000000000020000000000000000"
    "000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000"
    "0000000000000120000000000000000000000000dc6ff44d5d932cbd77b52e5612ba0529dc6226f10000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000600000000000000000000000000000000000000000000000000000000000000044095ea7b300000000"
    "000000000000000021c4928109acb0659a88ae5329b5374a3024694c0000000000000000000000000000000000000000"
    "000000049b9ca9a694340000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000021c4928109acb0659a88ae5329b5374a3024694c000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000600000000000000000"
    "000000000000000000000000000000000000000000000024b6b55f250000000000000000000000000000000000000000"
    "000000049b9ca9a694340000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000415ec214a3950bea839a7e6fbb0ba1540ac2076acd50820e2d5ef83d0902cdffb24a47aff7de5190290769c4f0"
    "a9c6fabf63012986a0d590b1b571547a8c7050ea1b000000000000000000000000000000000000000000000000000000"
    "00000000c080a06db770e6e25a617fe9652f0958bd9bd6e49281a53036906386ed39ec48eadf63a07f47cf51a4a40b44"
    "94cf26efc686709a9b03939e20ee27e59682f5faa536667e"
)


# --- FastLZ ---------------------------------------------------------------------------------------


def test_empty_tx_shape() -> None:
    assert len(EMPTY_TX) == 30
    assert zeros_and_ones(EMPTY_TX) == (0, 30)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", 0),
        (b"\x01" * 1000, 21),
        (b"\x00" * 1000, 21),
        (EMPTY_TX, 31),
        (CONTRACT_CALL_TX, 202),
        (bytes.fromhex("facade"), 4),
    ],
)
def test_flz_compress_len_op_geth_vectors(data: bytes, expected: int) -> None:
    assert flz_compress_len(data) == expected


def reference_fastlz1_compress(data: bytes) -> bytes:
    """FastLZ level-1 compressor written after ariya/FastLZ ``fastlz1_compress``; emits the bytes."""
    out = bytearray()
    length = len(data)
    table = [0] * 8192
    ip_bound = length - 4
    ip_limit = length - 13

    def read24(i: int) -> int:
        return int.from_bytes(data[i : i + 3], "little")

    def hash24(v: int) -> int:
        return ((v * 2654435769) & 0xFFFFFFFF) >> 19 & 0x1FFF

    def literals(start: int, count: int) -> None:
        while count >= 32:
            out.append(31)
            out.extend(data[start : start + 32])
            start += 32
            count -= 32
        if count:
            out.append(count - 1)
            out.extend(data[start : start + count])

    def match(count: int, distance: int) -> None:
        distance -= 1
        while count > 262:
            out.extend([(7 << 5) + (distance >> 8), 253, distance & 255])
            count -= 262
        if count < 7:
            out.extend([(count << 5) + (distance >> 8), distance & 255])
        else:
            out.extend([(7 << 5) + (distance >> 8), count - 7, distance & 255])

    anchor = 0
    ip = 2
    while ip < ip_limit:
        while True:
            seq = read24(ip)
            slot = hash24(seq)
            ref = table[slot]
            table[slot] = ip
            distance = ip - ref
            cmp = read24(ref) if distance < 8192 else 1 << 24
            if ip >= ip_limit:
                break
            ip += 1
            if seq == cmp:
                break
        if ip >= ip_limit:
            break
        ip -= 1
        if ip > anchor:
            literals(anchor, ip - anchor)
        p, q = ref + 3, ip + 3
        start = p
        while q < ip_bound:
            equal = data[p] == data[q]
            p += 1
            q += 1
            if not equal:
                break
        count = p - start
        match(count, distance)
        ip += count
        table[hash24(read24(ip))] = ip
        ip += 1
        table[hash24(read24(ip))] = ip
        ip += 1
        anchor = ip
    literals(anchor, length - anchor)
    if out:
        out[0] |= 1 << 5
    return bytes(out)


def reference_fastlz1_decompress(block: bytes) -> bytes:
    out = bytearray()
    if not block:
        return bytes(out)
    ip = 0
    ctrl = block[ip] & 31
    ip += 1
    while True:
        if ctrl >= 32:
            count = (ctrl >> 5) - 1
            ref = len(out) - ((ctrl & 31) << 8) - 1
            if count == 6:
                count += block[ip]
                ip += 1
            ref -= block[ip]
            ip += 1
            count += 3
            for i in range(count):
                out.append(out[ref + i])
        else:
            out.extend(block[ip : ip + ctrl + 1])
            ip += ctrl + 1
        if ip >= len(block):
            break
        ctrl = block[ip]
        ip += 1
    return bytes(out)


def test_reference_compressor_agrees_on_vectors() -> None:
    for data in (
        b"",
        b"\x01" * 1000,
        CONTRACT_CALL_TX,
        MAINNET_FJORD_TX,
        b"ab" * 700 + bytes(range(256)) * 3,
    ):
        block = reference_fastlz1_compress(data)
        assert reference_fastlz1_decompress(block) == data
        assert flz_compress_len(data) == len(block)


# Inputs with repetition (so matches, long matches and far references all occur) and random noise.
_repetitive = st.builds(
    lambda parts, reps: b"".join(p * r for p, r in zip(parts, reps, strict=False)),
    st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=12),
    st.lists(st.integers(min_value=1, max_value=80), min_size=12, max_size=12),
)
_inputs = st.one_of(st.binary(max_size=600), _repetitive, st.binary(max_size=40).map(lambda b: b * 300))


@settings(max_examples=120, deadline=None)
@given(_inputs)
def test_flz_compress_len_equals_reference_compressor(data: bytes) -> None:
    block = reference_fastlz1_compress(data)
    assert reference_fastlz1_decompress(block) == data
    assert flz_compress_len(data) == len(block)


def _noise(n: int, seed: int) -> bytes:
    out = bytearray()
    x = seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((x >> 16) & 0xFF)
    return bytes(out)


def test_every_match_length_up_to_600_agrees_with_reference() -> None:
    # A back-reference whose compared length is exactly k + 1, for every k: covers the 2-byte/3-byte
    # token boundary (length 7) and the 262-byte split of long matches.
    prefix, suffix = _noise(700, 1), _noise(64, 2)
    for k in range(600):
        data = prefix + prefix[: 3 + k] + suffix
        block = reference_fastlz1_compress(data)
        assert reference_fastlz1_decompress(block) == data
        assert flz_compress_len(data) == len(block), k


def test_match_distance_limit_is_8191() -> None:
    token = bytes(range(1, 65))

    def sized(distance: int) -> int:
        data = token + b"\x00" * (distance - len(token)) + token + _noise(32, 3)
        block = reference_fastlz1_compress(data)
        assert flz_compress_len(data) == len(block)
        return len(block)

    # At distance 8191 the repeated token is one short back-reference; at 8192 it is 64 literals.
    assert sized(8192) - sized(8191) > 50
    assert abs(sized(8191) - sized(8190)) <= 3


def test_long_far_match_crosses_262_and_distance_limits() -> None:
    noise = bytes((i * 7919 + (i >> 3) * 31) & 0xFF for i in range(9000))
    data = noise[:5000] + noise[:5000] + b"\x00" * 2000
    block = reference_fastlz1_compress(data)
    assert reference_fastlz1_decompress(block) == data
    assert flz_compress_len(data) == len(block)


# --- Bedrock / Regolith / Ecotone / Fjord ---------------------------------------------------------

# op-geth rollup_cost_test.go parameters.
BASE_FEE = 1000 * 10**6
OVERHEAD = 50
SCALAR = 7 * 10**6
BLOB_BASE_FEE = 10 * 10**6
BASE_FEE_SCALAR = 2
BLOB_BASE_FEE_SCALAR = 3


def test_op_geth_empty_tx_costs() -> None:
    assert rollup_data_gas_bedrock(EMPTY_TX, regolith=False) + OVERHEAD == 1618
    assert rollup_data_gas_bedrock(EMPTY_TX, regolith=True) + OVERHEAD == 530
    assert l1_cost_bedrock(EMPTY_TX, BASE_FEE, OVERHEAD, SCALAR, regolith=False) == 11_326_000_000_000
    assert l1_cost_bedrock(EMPTY_TX, BASE_FEE, OVERHEAD, SCALAR, regolith=True) == 3_710_000_000_000
    assert (
        l1_cost_ecotone(EMPTY_TX, BASE_FEE, BLOB_BASE_FEE, BASE_FEE_SCALAR, BLOB_BASE_FEE_SCALAR) == 960_900
    )
    # Out of the regression's range: the 100-byte minimum applies.
    assert (
        l1_cost_fjord(EMPTY_TX, BASE_FEE, BLOB_BASE_FEE, BASE_FEE_SCALAR, BLOB_BASE_FEE_SCALAR) == 3_203_000
    )
    assert l1_gas_used_fjord(EMPTY_TX) == 1600


def test_data_gas_facade_vectors() -> None:
    assert rollup_data_gas_bedrock(bytes.fromhex("facade"), regolith=False) == 1136
    assert rollup_data_gas_bedrock(bytes.fromhex("facade"), regolith=True) == 48
    assert rollup_data_gas_bedrock(bytes.fromhex("fa00ca00de"), regolith=False) == 1144
    assert rollup_data_gas_bedrock(bytes.fromhex("fa00ca00de"), regolith=True) == 56
    assert l1_gas_used_fjord(bytes.fromhex("facade")) == 1600


def test_cost_facade_vectors() -> None:
    facade = bytes.fromhex("facade")
    assert l1_cost_bedrock(facade, 1000, 1000, 1000, regolith=True) == 1048
    assert l1_cost_ecotone(facade, 1000, 1000, 1000, 1000) == 51
    assert l1_cost_fjord(facade, 1000, 1000, 1000, 1000) == 1700
    assert fjord_estimated_size_scaled(202) == 126_387_400
    assert l1_cost_fjord(CONTRACT_CALL_TX, 1000, 1000, 1000, 1000) == 2148


def test_mainnet_ecotone_transaction() -> None:
    # Block 118024092 L1 attributes: base fee 47036678951, blob base fee 57422457042,
    # base fee scalar 1368, blob base fee scalar 810949. The chain charged 7306020222001 wei.
    assert rollup_data_gas_bedrock(MAINNET_ECOTONE_TX, regolith=True) == 2456
    fee = l1_cost_ecotone(MAINNET_ECOTONE_TX, 47_036_678_951, 57_422_457_042, 1368, 810_949)
    assert fee == 7_306_020_222_001


def test_mainnet_fjord_transaction() -> None:
    # Block 124665056 L1 attributes: base fee 1055991687, blob base fee 1, base fee scalar 5227,
    # blob base fee scalar 1014213. The chain charged 0x5bf1ab43d wei and reported l1GasUsed 4471.
    assert l1_gas_used_fjord(MAINNET_FJORD_TX) == 4471
    assert l1_cost_fjord(MAINNET_FJORD_TX, 1_055_991_687, 1, 5227, 1_014_213) == 0x5BF1AB43D


def test_fjord_from_size_equals_fjord() -> None:
    size = flz_compress_len(MAINNET_FJORD_TX)
    assert l1_cost_fjord_from_size(size, 7, 11, 13, 17) == l1_cost_fjord(MAINNET_FJORD_TX, 7, 11, 13, 17)


def test_fjord_minimum_size_boundary() -> None:
    # intercept + coef * n >= 100e6 first at n = ceil(142585600 / 836500) = 171.
    assert fjord_estimated_size_scaled(170) == 100_000_000
    assert fjord_estimated_size_scaled(171) == -42_585_600 + 836_500 * 171
    assert fjord_estimated_size_scaled(171) > 100_000_000


# --- dispatcher -----------------------------------------------------------------------------------


PARAMS = L1CostParams(
    l1_base_fee=BASE_FEE,
    overhead=OVERHEAD,
    scalar=SCALAR,
    blob_base_fee=BLOB_BASE_FEE,
    base_fee_scalar=BASE_FEE_SCALAR,
    blob_base_fee_scalar=BLOB_BASE_FEE_SCALAR,
)


def test_dispatcher_selects_by_fork() -> None:
    assert l1_cost(PARAMS, EMPTY_TX, regolith=False, ecotone=False, fjord=False) == 11_326_000_000_000
    assert l1_cost(PARAMS, EMPTY_TX, regolith=True, ecotone=False, fjord=False) == 3_710_000_000_000
    assert l1_cost(PARAMS, EMPTY_TX, regolith=True, ecotone=True, fjord=False) == 960_900
    assert l1_cost(PARAMS, EMPTY_TX, regolith=True, ecotone=True, fjord=True) == 3_203_000


def test_dispatcher_uses_bedrock_while_ecotone_params_are_unset() -> None:
    # op-geth's TestNewL1CostFunc: scalars and blob base fee zeroed (first Ecotone block) → Regolith fee,
    # with or without Fjord.
    empty = L1CostParams(l1_base_fee=BASE_FEE, overhead=OVERHEAD, scalar=SCALAR)
    assert empty.ecotone_scalars_empty
    assert l1_cost(empty, EMPTY_TX, regolith=True, ecotone=True, fjord=False) == 3_710_000_000_000
    assert l1_cost(empty, EMPTY_TX, regolith=True, ecotone=True, fjord=True) == 3_710_000_000_000
    assert not PARAMS.ecotone_scalars_empty


def test_dispatcher_charges_nothing_for_empty_input_and_deposits() -> None:
    assert l1_cost(PARAMS, b"", regolith=True, ecotone=True, fjord=True) == 0
    assert l1_cost(PARAMS, bytes.fromhex("7efacade"), regolith=True, ecotone=True, fjord=True) == 0
    assert l1_cost(PARAMS, bytes.fromhex("7efacade"), regolith=False, ecotone=False, fjord=False) == 0


@settings(max_examples=60, deadline=None)
@given(
    st.binary(min_size=1, max_size=300).filter(lambda b: b[0] != 0x7E),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_costs_are_monotonic_in_fees(data: bytes, base: int, blob: int, bfs: int, bbfs: int) -> None:
    for cost in (l1_cost_ecotone, l1_cost_fjord):
        c = cost(data, base, blob, bfs, bbfs)
        assert c >= 0
        assert cost(data, base + 1, blob, bfs, bbfs) >= c
        assert cost(data, base, blob + 1, bfs, bbfs) >= c
        assert cost(data, base, blob, bfs + 1, bbfs) >= c
        assert cost(data, base, blob, bfs, bbfs + 1) >= c
    assert l1_cost_bedrock(data, base, 0, bfs, regolith=False) >= l1_cost_bedrock(
        data, base, 0, bfs, regolith=True
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=200))
def test_ecotone_calldata_gas_is_additive(a: bytes, b: bytes) -> None:
    ga = rollup_data_gas_bedrock(a, regolith=True)
    gb = rollup_data_gas_bedrock(b, regolith=True)
    assert rollup_data_gas_bedrock(a + b, regolith=True) == ga + gb
    assert ga == 4 * a.count(0) + 16 * (len(a) - a.count(0))


# --- operator fee ---------------------------------------------------------------------------------


def test_operator_fee_isthmus_and_jovian() -> None:
    assert operator_fee(1000, 1000, 10, jovian=False) == 11  # 1000*1000/1e6 + 10
    assert operator_fee(1000, 1000, 10, jovian=True) == 100_000_010  # 1000*1000*100 + 10
    assert operator_fee(999, 1000, 0, jovian=False) == 0  # floor(0.999)
    assert operator_fee(0, 2**32 - 1, 5, jovian=True) == 5
    assert operator_fee(21_000, 0, 0, jovian=True) == 0


def test_operator_fee_maxima_from_spec() -> None:
    u64, u32 = 2**64 - 1, 2**32 - 1
    isthmus_max = operator_fee(u64, u32, u64, jovian=False)
    jovian_max = operator_fee(u64, u32, u64, jovian=True)
    assert isthmus_max == u64 * u32 // 10**6 + u64
    assert isthmus_max.bit_length() == 77
    assert jovian_max == u64 * u32 * 100 + u64
    assert jovian_max.bit_length() == 103


def test_operator_fee_refund() -> None:
    # op-revm: 50000 gas, all unused, scalar 2000, constant 5 → refund 100.
    assert operator_fee_refund(50_000, 0, 2000, 5, jovian=False) == 100
    assert operator_fee_refund(50_000, 0, 2000, 5, jovian=True) == 50_000 * 2000 * 100
    # Each term is floored separately: 1500*1000/1e6 = 1, 600*1000/1e6 = 0 → refund 1, not floor(0.9) = 0.
    assert operator_fee_refund(1500, 600, 1000, 7, jovian=False) == 1
    with pytest.raises(FeeParamsError):
        operator_fee_refund(100, 101, 1, 1, jovian=False)


def test_operator_fee_rejects_out_of_range_parameters() -> None:
    with pytest.raises(FeeParamsError, match="operator_fee_scalar"):
        operator_fee(1, 2**32, 0, jovian=False)
    with pytest.raises(FeeParamsError, match="operator_fee_constant"):
        operator_fee(1, 0, 2**64, jovian=True)
    with pytest.raises(FeeParamsError, match="gas"):
        operator_fee(-1, 0, 0, jovian=True)


# --- DA footprint ---------------------------------------------------------------------------------


def test_da_usage_estimate() -> None:
    assert da_usage_estimate(b"") == 100
    assert da_usage_estimate(EMPTY_TX) == 100
    assert da_usage_estimate(CONTRACT_CALL_TX) == 126  # 126387400 // 1e6
    size = flz_compress_len(MAINNET_FJORD_TX)
    assert da_usage_estimate(MAINNET_FJORD_TX) == max(100, (-42_585_600 + 836_500 * size) // 10**6)


def test_da_footprint_and_block_total() -> None:
    assert da_footprint(CONTRACT_CALL_TX, DEFAULT_DA_FOOTPRINT_GAS_SCALAR) == 126 * 400
    assert da_footprint(EMPTY_TX, 1) == 100
    deposit = bytes.fromhex("7ef8") + b"\x00" * 300
    block = [deposit, CONTRACT_CALL_TX, EMPTY_TX, deposit]
    assert block_da_footprint(block, 400) == (126 + 100) * 400
    assert block_da_footprint([deposit], 400) == 0
    assert block_da_footprint([], 400) == 0
    with pytest.raises(FeeParamsError):
        da_footprint(EMPTY_TX, 2**16)
