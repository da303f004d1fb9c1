"""ECMUL / ECPAIRING on the swappable BN254 backends, compared with py-evm's own precompiles."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest
from eth.exceptions import VMError
from eth.vm.forks.prague.computation import PragueComputation
from py_ecc import optimized_bn128 as bn

from mauna.executor import bn254
from mauna.executor.bn254 import (
    B2,
    CURVE_ORDER,
    FIELD_MODULUS,
    Bn254Backend,
    PyEccBn254,
    make_ecmul,
    make_ecpairing,
    native_backend,
    self_test,
)
from mauna.executor.precompiles import NativeBn254Precompile

P = FIELD_MODULUS
BASE = PragueComputation.get_precompiles()
PYEVM_ECMUL = BASE[(7).to_bytes(20, "big")]
PYEVM_PAIRING = BASE[(8).to_bytes(20, "big")]


def _run(precompile: Any, data: bytes) -> tuple[str, bytes | None, int]:
    comp = SimpleNamespace(msg=SimpleNamespace(data=data, data_as_bytes=data), output=b"", gas=0)
    comp.consume_gas = lambda amount, reason: setattr(comp, "gas", comp.gas + amount)
    try:
        precompile(comp)
    except VMError:
        return ("error", None, comp.gas)
    return ("ok", comp.output, comp.gas)


def _w(v: int) -> bytes:
    return v.to_bytes(32, "big")


def _g1(k: int) -> bytes:
    x, y = bn.normalize(bn.multiply(bn.G1, k))
    return _w(int(x)) + _w(int(y))


def _g2(k: int) -> bytes:
    x, y = bn.normalize(bn.multiply(bn.G2, k))
    return _w(int(x.coeffs[1])) + _w(int(x.coeffs[0])) + _w(int(y.coeffs[1])) + _w(int(y.coeffs[0]))


def _fp2_pow(a: tuple[int, int], e: int) -> tuple[int, int]:
    r = (1, 0)
    while e:
        if e & 1:
            r = bn254._fp2_mul(r, a)
        a = bn254._fp2_mul(a, a)
        e >>= 1
    return r


def _twist_point_outside_subgroup(rng: random.Random) -> bytes:
    """A point on the twist curve (almost surely not in the order-r subgroup)."""
    while True:
        x = (rng.randrange(P), rng.randrange(P))
        x3 = bn254._fp2_mul(bn254._fp2_mul(x, x), x)
        rhs = ((x3[0] + B2[0]) % P, (x3[1] + B2[1]) % P)
        a1 = _fp2_pow(rhs, (P - 3) // 4)
        alpha = bn254._fp2_mul(bn254._fp2_mul(a1, a1), rhs)
        x0 = bn254._fp2_mul(a1, rhs)
        if alpha == (P - 1, 0):
            y = bn254._fp2_mul((0, 1), x0)
        else:
            y = bn254._fp2_mul(_fp2_pow(((1 + alpha[0]) % P, alpha[1]), (P - 1) // 2), x0)
        if bn254._fp2_mul(y, y) == rhs:
            return _w(x[1]) + _w(x[0]) + _w(y[1]) + _w(y[0])


def _ecmul_cases(rng: random.Random) -> list[bytes]:
    scalars = [0, 1, 2, CURVE_ORDER - 1, CURVE_ORDER, CURVE_ORDER + 1, 2**256 - 1, P]
    scalars += [rng.randrange(2**256) for _ in range(4)]
    point = _g1(rng.randrange(1, CURVE_ORDER))
    cases = [point + _w(k) for k in scalars] + [_w(0) * 2 + _w(k) for k in scalars[:3]]
    cases += [
        _w(1) + _w(3) + _w(5),  # not on the curve
        _w(P) + _w(2) + _w(3),  # coordinate not below p
        b"",  # (0, 0) * 0
        _w(1) + _w(2)[:20],  # short input, right-padded
        _w(1) + _w(2) + _w(9) + b"\xff" * 7,  # long input, extra ignored
    ]
    return cases


def _pairing_cases(rng: random.Random) -> list[bytes]:
    a, b = rng.randrange(1, CURVE_ORDER), rng.randrange(1, CURVE_ORDER)
    good = _g1(a) + _g2(b) + _g1(CURVE_ORDER - a * b % CURVE_ORDER) + _g2(1)
    off = _twist_point_outside_subgroup(rng)
    return [
        b"",
        good,
        _g1(a) + _g2(b) + _g1(CURVE_ORDER - a * b % CURVE_ORDER + 1) + _g2(1),
        _w(0) * 2 + _g2(b) + _g1(a) + _w(0) * 4,  # infinities on either side
        _g1(a) + off,  # G2 point outside the subgroup
        _w(0) * 2 + off,  # … even next to the G1 point at infinity
        _g1(a) + _g2(b)[:-32] + _w(P),  # G2 coordinate not below p
        _g1(a) + _g2(b)[:-32] + _w((int.from_bytes(_g2(b)[-32:], "big") + 1) % P),  # off the twist
        _g1(a)[:32] + _w(5) + _g2(b),  # G1 off the curve
        good[:-1],  # not a multiple of 192 bytes
    ]


def _compare(backend: Bn254Backend, ecmul_cases: list[bytes], pairing_cases: list[bytes]) -> None:
    ecmul = make_ecmul(backend, 6000)
    pairing = make_ecpairing(backend, 45_000, 34_000)
    for data in ecmul_cases:
        assert _run(ecmul, data) == _run(PYEVM_ECMUL, data), data.hex()
    for data in pairing_cases:
        assert _run(pairing, data) == _run(PYEVM_PAIRING, data), data.hex()


def test_py_ecc_backend_matches_py_evm() -> None:
    backend = PyEccBn254()
    self_test(backend)
    rng = random.Random(7)
    ecmul_cases = _ecmul_cases(rng)
    pairing_cases = _pairing_cases(rng)
    # py_ecc pairings are slow: the cheap and the failing cases only.
    _compare(backend, ecmul_cases[::3], [pairing_cases[i] for i in (0, 3, 4, 6, 7, 8, 9)])


@pytest.mark.skipif(native_backend() is None, reason="mclbn256 not installed")
def test_native_backend_matches_py_evm() -> None:
    backend = native_backend()
    assert backend is not None and backend.name == "mcl"
    for seed in (1, 2):
        rng = random.Random(seed)
        _compare(backend, _ecmul_cases(rng), _pairing_cases(rng))


def test_op_precompiles_fall_back_to_py_evm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAUNA_BN254_BACKEND", "py_ecc")
    native_backend.cache_clear()
    try:
        assert native_backend() is None
        wrapped = NativeBn254Precompile(PYEVM_ECMUL, make_ecmul, (6000,))
        data = _g1(3) + _w(5)
        assert _run(wrapped, data) == _run(PYEVM_ECMUL, data)
        assert wrapped._impl is PYEVM_ECMUL
    finally:
        monkeypatch.delenv("MAUNA_BN254_BACKEND")
        native_backend.cache_clear()
