"""OP Stack precompile changes on top of py-evm's.

Spec: protocol/precompiles.md "P256VERIFY" (Fjord, RIP-7212 at ``0x…0100``, 3450 gas),
protocol/granite/exec-engine.md "bn256Pairing precompile input restriction" (112,687 bytes),
protocol/isthmus/exec-engine.md "BLS Precompiles" (input limits), protocol/jovian/exec-engine.md
"Precompile Input Size Restrictions". An input over a limit makes the precompile fail (all
forwarded gas is consumed), as op-geth's ``errBadPairingInputSize`` does.

ECMUL (``0x07``) and ECPAIRING (``0x08``) run on the native BN254 backend of
:mod:`mauna.executor.bn254` when one is installed (chosen at the first call, so importing the
executor stays cheap), with py-evm's own implementations as the fallback.

A :class:`PrecompileAccelerator` takes over the expensive precompiles (ecrecover, bn256Pairing,
KZG point evaluation, the BLS12-381 ones from Isthmus), as the fault-proof program does: it asks
the host for the result instead of computing it (fault-proof/index.md "Precompile Key",
``l1-precompile-v2`` hint). The gas is still charged here, before the request, and the input
limits above still apply first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from eth.exceptions import OutOfGas, VMError

from mauna.executor.bn254 import make_ecmul, make_ecpairing, native_backend

Precompile = Callable[[Any], Any]

P256VERIFY_ADDRESS = (0x100).to_bytes(20, "big")
P256VERIFY_GAS = 3450

BN256_MUL_ADDRESS = (0x07).to_bytes(20, "big")
BN256_PAIRING_ADDRESS = (0x08).to_bytes(20, "big")
BLS12_G1MSM_ADDRESS = (0x0C).to_bytes(20, "big")
BLS12_G2MSM_ADDRESS = (0x0E).to_bytes(20, "big")
BLS12_PAIRING_ADDRESS = (0x0F).to_bytes(20, "big")

GRANITE_BN256_PAIRING_MAX_INPUT = 112_687
ISTHMUS_BLS_LIMITS = {
    BLS12_G1MSM_ADDRESS: 513_760,
    BLS12_G2MSM_ADDRESS: 488_448,
    BLS12_PAIRING_ADDRESS: 235_008,
}
JOVIAN_BN256_PAIRING_MAX_INPUT = 81_984
JOVIAN_BLS_LIMITS = {
    BLS12_G1MSM_ADDRESS: 288_960,
    BLS12_G2MSM_ADDRESS: 278_784,
    BLS12_PAIRING_ADDRESS: 156_672,
}

# secp256r1 (NIST P-256) domain parameters.
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_A = _P - 3
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
_GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5

_Jac = tuple[int, int, int]


def _jac_double(p: _Jac) -> _Jac:
    x, y, z = p
    if y == 0 or z == 0:
        return (0, 1, 0)
    ysq = y * y % _P
    s = 4 * x * ysq % _P
    zsq = z * z % _P
    m = (3 * x * x + _A * zsq * zsq) % _P
    nx = (m * m - 2 * s) % _P
    ny = (m * (s - nx) - 8 * ysq * ysq) % _P
    nz = 2 * y * z % _P
    return (nx, ny, nz)


def _jac_add(p: _Jac, q: _Jac) -> _Jac:
    if p[2] == 0:
        return q
    if q[2] == 0:
        return p
    x1, y1, z1 = p
    x2, y2, z2 = q
    z1sq = z1 * z1 % _P
    z2sq = z2 * z2 % _P
    u1 = x1 * z2sq % _P
    u2 = x2 * z1sq % _P
    s1 = y1 * z2sq * z2 % _P
    s2 = y2 * z1sq * z1 % _P
    if u1 == u2:
        return _jac_double(p) if s1 == s2 else (0, 1, 0)
    h = (u2 - u1) % _P
    r = (s2 - s1) % _P
    hsq = h * h % _P
    hcu = hsq * h % _P
    nx = (r * r - hcu - 2 * u1 * hsq) % _P
    ny = (r * (u1 * hsq - nx) - s1 * hcu) % _P
    nz = h * z1 * z2 % _P
    return (nx, ny, nz)


def _jac_mul_add(k1: int, p: _Jac, k2: int, q: _Jac) -> _Jac:
    """``k1*p + k2*q`` (Shamir's trick)."""
    pq = _jac_add(p, q)
    acc: _Jac = (0, 1, 0)
    for bit in range(max(k1.bit_length(), k2.bit_length()) - 1, -1, -1):
        acc = _jac_double(acc)
        b1 = (k1 >> bit) & 1
        b2 = (k2 >> bit) & 1
        if b1 and b2:
            acc = _jac_add(acc, pq)
        elif b1:
            acc = _jac_add(acc, p)
        elif b2:
            acc = _jac_add(acc, q)
    return acc


def p256_verify(data: bytes) -> bool:
    """RIP-7212 verification of ``hash ‖ r ‖ s ‖ x ‖ y`` (160 bytes)."""
    if len(data) != 160:
        return False
    h = int.from_bytes(data[0:32], "big")
    r = int.from_bytes(data[32:64], "big")
    s = int.from_bytes(data[64:96], "big")
    x = int.from_bytes(data[96:128], "big")
    y = int.from_bytes(data[128:160], "big")
    if not (0 < r < _N and 0 < s < _N):
        return False
    if not (x < _P and y < _P) or (x == 0 and y == 0):
        return False
    if (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        return False
    w = pow(s, -1, _N)
    res = _jac_mul_add(h * w % _N, (_GX, _GY, 1), r * w % _N, (x, y, 1))
    if res[2] == 0:
        return False
    zinv = pow(res[2], -1, _P)
    rx = res[0] * zinv * zinv % _P
    return rx % _N == r


def p256verify(computation: Any) -> Any:
    """The ``P256VERIFY`` precompile: 32-byte ``1`` on success, empty output otherwise."""
    computation.consume_gas(P256VERIFY_GAS, reason="P256VERIFY Precompile")
    if p256_verify(bytes(computation.msg.data)):
        computation.output = (1).to_bytes(32, "big")
    else:
        computation.output = b""
    return computation


def with_input_limit(precompile: Precompile, limit: int, name: str) -> Precompile:
    """Wrap ``precompile`` so an input longer than ``limit`` bytes fails the call."""

    def limited(computation: Any) -> Any:
        if len(computation.msg.data) > limit:
            raise VMError(f"{name}: input of {len(computation.msg.data)} bytes exceeds {limit}")
        return precompile(computation)

    return limited


class NativeBn254Precompile:
    """ECMUL / ECPAIRING on :func:`~mauna.executor.bn254.native_backend`, else py-evm's version.

    The backend is looked up at the first call; the gas schedule is the one py-evm's curried
    precompile was built with (its ``keywords``), so the fork's EIP-1108 prices carry over.
    """

    def __init__(self, fallback: Precompile, make: Callable[..., Precompile], gas: tuple[int, ...]) -> None:
        self.fallback = fallback
        self._make = make
        self._gas = gas
        self._impl: Precompile | None = None

    def __call__(self, computation: Any) -> Any:
        impl = self._impl
        if impl is None:
            backend = native_backend()
            impl = self.fallback if backend is None else self._make(backend, *self._gas)
            self._impl = impl
        return impl(computation)


def _native_bn254(base: Mapping[bytes, Precompile]) -> dict[bytes, Precompile]:
    out: dict[bytes, Precompile] = {}
    for address, make, names in (
        (BN256_MUL_ADDRESS, make_ecmul, ("gas_cost",)),
        (BN256_PAIRING_ADDRESS, make_ecpairing, ("gas_cost_base", "gas_cost_per_point")),
    ):
        fallback = base.get(address)
        keywords = getattr(fallback, "keywords", None) or {}
        if fallback is not None and all(name in keywords for name in names):
            out[address] = NativeBn254Precompile(fallback, make, tuple(int(keywords[n]) for n in names))
    return out


POINT_EVALUATION_ADDRESS = (0x0A).to_bytes(20, "big")
POINT_EVALUATION_GAS = 50_000
_POINT_EVALUATION_OUTPUT = (4096).to_bytes(32, "big") + (
    0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
).to_bytes(32, "big")


def point_evaluation(computation: Any) -> Any:
    """EIP-4844 point evaluation (Ecotone, ``0x0a``) with the trusted setup loaded once.

    ``versioned_hash ‖ z ‖ y ‖ commitment ‖ proof`` (192 bytes); the commitment must match the
    versioned hash and the proof show ``p(z) = y``; output ``FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS``.
    Same checks and order as py-evm's, whose version reloads the setup (seconds) on every call.
    """
    from mauna.errors import BlobError
    from mauna.protocol.blobs import kzg_to_versioned_hash
    from mauna.protocol.kzg import verify_kzg_proof

    computation.consume_gas(POINT_EVALUATION_GAS, reason="Point Evaluation Precompile")
    data = bytes(computation.msg.data)
    if len(data) != 192:
        raise VMError("Point evaluation invalid input length.")
    commitment = data[96:144]
    if kzg_to_versioned_hash(commitment) != data[:32]:
        raise VMError("Point evaluation commitment does not match versioned hash.")
    try:
        ok = verify_kzg_proof(commitment, data[32:64], data[64:96], data[144:192])
    except BlobError as exc:
        raise VMError(f"Point evaluation KZG proof verification failed: {exc}") from exc
    if not ok:
        raise VMError("Point evaluation KZG proof verification failed.")
    computation.output = _POINT_EVALUATION_OUTPUT
    return computation


ACCELERATED_PRECOMPILES: tuple[bytes, ...] = tuple(
    n.to_bytes(20, "big") for n in (0x01, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11)
)
"""ecrecover, bn256Pairing, KZG point evaluation and the seven BLS12-381 precompiles (EIP-2537):
the set kona's and op-program's clients hand to the host."""


class PrecompileAccelerator(Protocol):
    """Runs a precompile elsewhere: returns ``status ‖ output`` (status 1 success, 0 failure)."""

    def run_precompile(self, address: bytes, required_gas: int, input_data: bytes) -> bytes: ...


class _DetachedMessage:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.data_as_bytes = data


class DetachedComputation:
    """The part of a py-evm computation a precompile uses, for running one outside the EVM.

    ``msg.data`` is the input, ``output`` receives the result; a charge beyond ``gas_limit`` (if
    given) raises ``OutOfGas`` as in the EVM.
    """

    def __init__(self, data: bytes, gas_limit: int | None = None) -> None:
        self.msg = _DetachedMessage(data)
        self.output = b""
        self.gas_remaining = gas_limit

    def consume_gas(self, amount: int, reason: str = "") -> None:
        if self.gas_remaining is not None:
            if amount > self.gas_remaining:
                raise OutOfGas(f"{reason}: needs {amount} gas, {self.gas_remaining} left")
            self.gas_remaining -= amount


class _GasProbe(Exception):
    def __init__(self, amount: int) -> None:
        self.amount = amount


class _ProbeComputation(DetachedComputation):
    """Stops the precompile at its gas charge, reporting the amount."""

    def consume_gas(self, amount: int, reason: str = "") -> None:
        raise _GasProbe(amount)


class AcceleratedPrecompile:
    """A precompile whose result comes from a :class:`PrecompileAccelerator`.

    The gas is that of the local implementation, found by running it up to its (first and only)
    gas charge; an input it rejects before charging fails here too, without a request. A result
    with status 0 fails the call (all forwarded gas consumed), as the precompile's own error would.
    """

    def __init__(self, address: bytes, local: Precompile, accelerator: PrecompileAccelerator) -> None:
        self.address = address
        self.local = local
        self.accelerator = accelerator

    def __call__(self, computation: Any) -> Any:
        data = bytes(computation.msg.data)
        try:
            self.local(_ProbeComputation(data))
        except _GasProbe as probe:
            gas = probe.amount
        else:  # charged nothing: nothing to save by asking
            return self.local(computation)
        computation.consume_gas(gas, reason=f"precompile 0x{self.address.hex()}")
        result = self.accelerator.run_precompile(self.address, gas, data)
        if not result or result[0] != 1:
            raise VMError(f"precompile 0x{self.address.hex()} failed")
        computation.output = result[1:]
        return computation


def op_precompiles(
    base: Mapping[bytes, Precompile],
    *,
    fjord: bool,
    granite: bool,
    isthmus: bool,
    jovian: bool,
    accelerator: PrecompileAccelerator | None = None,
) -> dict[bytes, Precompile]:
    """py-evm's precompiles for the base fork with the OP Stack additions and limits; with an
    ``accelerator``, the :data:`ACCELERATED_PRECOMPILES` of the fork go through it."""
    out = dict(base)
    out.update(_native_bn254(base))
    if POINT_EVALUATION_ADDRESS in out:
        out[POINT_EVALUATION_ADDRESS] = point_evaluation
    if accelerator is not None:
        for address in ACCELERATED_PRECOMPILES:
            if address in out:
                out[address] = AcceleratedPrecompile(address, out[address], accelerator)
    if fjord:
        out[P256VERIFY_ADDRESS] = p256verify
    if granite and BN256_PAIRING_ADDRESS in base:
        limit = JOVIAN_BN256_PAIRING_MAX_INPUT if jovian else GRANITE_BN256_PAIRING_MAX_INPUT
        out[BN256_PAIRING_ADDRESS] = with_input_limit(out[BN256_PAIRING_ADDRESS], limit, "bn256Pairing")
    if isthmus:
        limits = JOVIAN_BLS_LIMITS if jovian else ISTHMUS_BLS_LIMITS
        for address, limit in limits.items():
            if address in base:
                out[address] = with_input_limit(out[address], limit, f"BLS12 precompile 0x{address.hex()}")
    return out
