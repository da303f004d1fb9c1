"""OP Stack precompile changes: P256VERIFY (Fjord) and input-size limits (Granite, Isthmus, Jovian)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

import pytest
from eth.exceptions import VMError

from mauna.executor.chain import OpFork
from mauna.executor.evm import FORK_SPECS
from mauna.executor.precompiles import (
    _GX,
    _GY,
    _N,
    _P,
    BN256_PAIRING_ADDRESS,
    P256VERIFY_ADDRESS,
    NativeBn254Precompile,
    _jac_mul_add,
    p256_verify,
)


def _sign(secret: int, digest: int, nonce: int) -> tuple[int, int, int, int]:
    qx, qy, qz = _jac_mul_add(secret, (_GX, _GY, 1), 0, (_GX, _GY, 1))
    zi = pow(qz, -1, _P)
    pub = (qx * zi * zi % _P, qy * zi * zi * zi % _P)
    rx, _ry, rz = _jac_mul_add(nonce, (_GX, _GY, 1), 0, (_GX, _GY, 1))
    r = rx * pow(rz, -2, _P) % _P % _N
    s = pow(nonce, -1, _N) * (digest + r * secret) % _N
    return r, s, pub[0], pub[1]


def _input(digest: int, r: int, s: int, x: int, y: int) -> bytes:
    return b"".join(v.to_bytes(32, "big") for v in (digest, r, s, x, y))


def test_p256_verify_accepts_valid_and_rejects_tampered() -> None:
    digest = int.from_bytes(hashlib.sha256(b"mauna").digest(), "big")
    r, s, x, y = _sign(0xC0FFEE1234, digest, 0x5EED)
    assert p256_verify(_input(digest, r, s, x, y))
    assert not p256_verify(_input(digest ^ 1, r, s, x, y))
    assert not p256_verify(_input(digest, r, (s + 1) % _N, x, y))
    assert not p256_verify(_input(digest, r, s, x, (y + 1) % _P))  # not on the curve
    assert not p256_verify(_input(digest, 0, s, x, y))
    assert not p256_verify(_input(digest, r, s, x, y)[:-1])


def _call(precompile: Any, data: bytes) -> Any:
    comp = SimpleNamespace(msg=SimpleNamespace(data=data), output=None, gas=0)
    comp.consume_gas = lambda amount, reason: setattr(comp, "gas", comp.gas + amount)
    return precompile(comp)


def test_precompile_sets_per_fork() -> None:
    ecotone = FORK_SPECS[OpFork.ECOTONE].state_class.computation_class.get_precompiles()
    fjord = FORK_SPECS[OpFork.FJORD].state_class.computation_class.get_precompiles()
    granite = FORK_SPECS[OpFork.GRANITE].state_class.computation_class.get_precompiles()
    assert P256VERIFY_ADDRESS not in ecotone and P256VERIFY_ADDRESS in fjord
    digest = 7
    r, s, x, y = _sign(99, digest, 1234)
    out = _call(fjord[P256VERIFY_ADDRESS], _input(digest, r, s, x, y))
    assert out.output == (1).to_bytes(32, "big") and out.gas == 3450
    assert _call(fjord[P256VERIFY_ADDRESS], b"\x00" * 160).output == b""
    with pytest.raises(VMError, match="112688 bytes exceeds 112687"):
        _call(granite[BN256_PAIRING_ADDRESS], b"\x00" * 112_688)
    # Before Granite the pairing precompile has no input limit: the same py-evm fallback underneath.
    assert isinstance(fjord[BN256_PAIRING_ADDRESS], NativeBn254Precompile)
    assert fjord[BN256_PAIRING_ADDRESS].fallback is ecotone[BN256_PAIRING_ADDRESS].fallback
