"""BN254 (alt_bn128) precompiles ECMUL (``0x07``) and ECPAIRING (``0x08``) on a swappable backend.

The input checks are done here, in Python, exactly as py-evm's ``eth.precompiles.ecmul`` /
``ecpairing`` do them (EIP-196, EIP-197): coordinates must be below the field modulus, ``(0, 0)``
is the G1 point at infinity and the all-zero quadruple the G2 one, any other point must be on its
curve, and a G2 point must also lie in the order-``r`` subgroup. A failed check is a ``VMError``
(all forwarded gas is consumed). Only the curve arithmetic goes to a :class:`Bn254Backend`:

- :class:`MclBn254` — herumi's mcl library as shipped by the ``mclbn256`` wheel (about 1.3 ms
  for a 4-pair check that takes py_ecc 0.56 s, subgroup checks included);
- :class:`PyEccBn254` — py_ecc's ``optimized_bn128``, the same code py-evm runs.

:func:`native_backend` returns the mcl backend when its package imports and passes a known-answer
self-test, else ``None``; the executor then keeps py-evm's own precompiles. Setting
``MAUNA_BN254_BACKEND=py_ecc`` forces that fallback.
"""

from __future__ import annotations

import ctypes
import importlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol

from eth.exceptions import VMError

FIELD_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583
CURVE_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# The twist's b = 3 / (9 + i), as (real, imaginary).
B2 = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)
G1_GENERATOR = (1, 2)
G2_GENERATOR = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)

Fp2 = tuple[int, int]
G1Affine = tuple[int, int]
G2Affine = tuple[Fp2, Fp2]

_ZERO_WORD = b"\x00" * 32
_ONE_WORD = b"\x00" * 31 + b"\x01"


class InvalidPointError(ValueError):
    """An ECMUL / ECPAIRING input that is not a valid point encoding."""


# --- checks (py-evm's, in plain integers) ------------------------------------------------------
def _fp2_mul(a: Fp2, b: Fp2) -> Fp2:
    p = FIELD_MODULUS
    return ((a[0] * b[0] - a[1] * b[1]) % p, (a[0] * b[1] + a[1] * b[0]) % p)


def g1_point(x: int, y: int) -> G1Affine | None:
    """The G1 point ``(x, y)``, ``None`` for ``(0, 0)`` (infinity); raises if invalid."""
    p = FIELD_MODULUS
    if x >= p or y >= p:
        raise InvalidPointError("G1 coordinate not below the field modulus")
    if x == 0 and y == 0:
        return None
    if (y * y - x * x * x - 3) % p:
        raise InvalidPointError("G1 point not on the curve")
    return (x, y)


def g2_on_curve(x: Fp2, y: Fp2) -> bool:
    """``y² = x³ + b2`` over F_p² (``i² = -1``)."""
    lhs = _fp2_mul(y, y)
    x3 = _fp2_mul(_fp2_mul(x, x), x)
    return (lhs[0] - x3[0] - B2[0]) % FIELD_MODULUS == 0 and (lhs[1] - x3[1] - B2[1]) % FIELD_MODULUS == 0


# --- backends ----------------------------------------------------------------------------------
class Bn254Backend(Protocol):
    """Curve arithmetic on already-checked points (never the point at infinity)."""

    name: str

    def g1_mul(self, point: G1Affine, scalar: int) -> G1Affine | None:
        """``scalar * point`` for ``0 < scalar < r``; ``None`` for infinity."""
        ...

    def g2_in_subgroup(self, point: G2Affine) -> bool:
        """Whether an on-curve twist point lies in the order-``r`` subgroup."""
        ...

    def pairing_is_one(self, pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bool:
        """Whether the product of the pairings ``e(P, Q)`` is one."""
        ...


class PyEccBn254:
    """py_ecc's ``optimized_bn128`` (what py-evm uses)."""

    name = "py_ecc"

    def __init__(self) -> None:
        from py_ecc import optimized_bn128 as bn

        self._bn = bn

    def _g2(self, point: G2Affine) -> Any:
        bn = self._bn
        (xr, xi), (yr, yi) = point
        return (bn.FQ2([xr, xi]), bn.FQ2([yr, yi]), bn.FQ2.one())

    def g1_mul(self, point: G1Affine, scalar: int) -> G1Affine | None:
        bn = self._bn
        result = bn.multiply((bn.FQ(point[0]), bn.FQ(point[1]), bn.FQ.one()), scalar)
        if bn.is_inf(result):
            return None
        x, y = bn.normalize(result)
        return (int(x), int(y))

    def g2_in_subgroup(self, point: G2Affine) -> bool:
        bn = self._bn
        return bool(bn.is_inf(bn.multiply(self._g2(point), CURVE_ORDER)))

    def pairing_is_one(self, pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bool:
        bn = self._bn
        acc = bn.FQ12.one()
        for p, q in pairs:
            g1 = (bn.FQ(p[0]), bn.FQ(p[1]), bn.FQ.one())
            acc = acc * bn.pairing(self._g2(q), g1, final_exponentiate=False)
        return bool(bn.final_exponentiate(acc) == bn.FQ12.one())


_G1 = ctypes.c_uint64 * 12  # mclBnG1: Jacobian x, y, z, each 4 limbs
_G2 = ctypes.c_uint64 * 24  # mclBnG2: Jacobian over F_p²
_GT = ctypes.c_uint64 * 48  # mclBnGT: F_p¹²
_FR = ctypes.c_uint64 * 4
_MCL_BN_SNARK1 = 4  # mcl's id for alt_bn128
_MCL_IO_DEC = 10


class MclBn254:
    """herumi mcl, loaded by the ``mclbn256`` package and switched to the alt_bn128 curve.

    ``mclbn256`` sets mcl up for mcl's own BN254 curve on import; this re-initialises the (process
    global) library for alt_bn128, so ``mclbn256``'s Python classes must not be used alongside.
    Points cross the boundary as decimal strings (mcl's ``setStr`` / ``getStr``), so no limb
    layout or Montgomery form is assumed.
    """

    name = "mcl"

    def __init__(self, module: Any) -> None:
        lib = module.lib
        compiled = int(module.MCLBN_COMPILED_TIME_VAR)

        def fn(name: str, restype: Any, *argtypes: Any) -> Callable[..., Any]:
            f = lib[name]  # a fresh function object: the package's own stay untouched
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        vp, sz, ci, cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_char_p
        if fn("mclBn_init", ci, ci, ci)(_MCL_BN_SNARK1, compiled) != 0:
            raise RuntimeError("mcl: alt_bn128 initialisation failed")
        for name in ("mclBn_verifyOrderG1", "mclBn_verifyOrderG2"):
            fn(name, None, ci)(0)  # order checks are explicit (g2_in_subgroup)
        self._g1_set = fn("mclBnG1_setStr", ci, vp, cp, sz, ci)
        self._g1_get = fn("mclBnG1_getStr", sz, cp, sz, vp, ci)
        self._g1_mul = fn("mclBnG1_mul", None, vp, vp, vp)
        self._g1_normalize = fn("mclBnG1_normalize", None, vp, vp)
        self._g2_set = fn("mclBnG2_setStr", ci, vp, cp, sz, ci)
        self._g2_order = fn("mclBnG2_isValidOrder", ci, vp)
        self._fr_set = fn("mclBnFr_setStr", ci, vp, cp, sz, ci)
        self._miller_vec = fn("mclBn_millerLoopVec", None, vp, vp, vp, sz)
        self._final_exp = fn("mclBn_finalExp", None, vp, vp)
        self._gt_is_one = fn("mclBnGT_isOne", ci, vp)
        buf = ctypes.create_string_buffer(128)
        for getter, expected in (
            ("mclBn_getFieldOrder", FIELD_MODULUS),
            ("mclBn_getCurveOrder", CURVE_ORDER),
        ):
            n = fn(getter, sz, cp, sz)(buf, len(buf))
            if int(buf.raw[:n]) != expected:
                raise RuntimeError(f"mcl: {getter} is not alt_bn128's")

    def _set_g1(self, out: Any, point: G1Affine) -> None:
        text = f"1 {point[0]} {point[1]}".encode()
        if self._g1_set(out, text, len(text), _MCL_IO_DEC) != 0:
            raise InvalidPointError("mcl rejected a G1 point")

    def _set_g2(self, out: Any, point: G2Affine) -> None:
        (xr, xi), (yr, yi) = point
        text = f"1 {xr} {xi} {yr} {yi}".encode()
        if self._g2_set(out, text, len(text), _MCL_IO_DEC) != 0:
            raise InvalidPointError("mcl rejected a G2 point")

    def g1_mul(self, point: G1Affine, scalar: int) -> G1Affine | None:
        p, r, k = _G1(), _G1(), _FR()
        self._set_g1(p, point)
        text = str(scalar).encode()
        if self._fr_set(k, text, len(text), _MCL_IO_DEC) != 0:
            raise ValueError("mcl rejected a scalar")
        self._g1_mul(r, p, k)
        self._g1_normalize(r, r)
        buf = ctypes.create_string_buffer(256)
        n = self._g1_get(buf, len(buf), r, _MCL_IO_DEC)
        parts = buf.raw[:n].split()
        if parts == [b"0"]:
            return None
        if len(parts) != 3 or parts[0] != b"1":
            raise RuntimeError(f"mcl: unexpected G1 output {buf.raw[:n]!r}")
        return (int(parts[1]), int(parts[2]))

    def g2_in_subgroup(self, point: G2Affine) -> bool:
        q = _G2()
        self._set_g2(q, point)
        return bool(self._g2_order(q))

    def pairing_is_one(self, pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bool:
        n = len(pairs)
        if n == 0:
            return True
        ps, qs = (_G1 * n)(), (_G2 * n)()
        for i, (p, q) in enumerate(pairs):
            self._set_g1(ps[i], p)
            self._set_g2(qs[i], q)
        f = _GT()
        self._miller_vec(f, ps, qs, n)
        self._final_exp(f, f)
        return bool(self._gt_is_one(f))


def self_test(backend: Bn254Backend) -> None:
    """Known answers every backend must give; raises ``RuntimeError`` otherwise."""
    g1, g2 = G1_GENERATOR, G2_GENERATOR
    neg_g1 = (g1[0], FIELD_MODULUS - g1[1])
    two_g1 = (
        1368015179489954701390400359078579693043519447331113978918064868415326638035,
        9918110051302171585080402603319702774565515993150576347155970296011118125764,
    )
    checks = (
        backend.g1_mul(g1, 2) == two_g1,
        backend.g1_mul(g1, CURVE_ORDER - 1) == neg_g1,
        backend.g2_in_subgroup(g2),
        backend.pairing_is_one([(g1, g2), (neg_g1, g2)]),
        backend.pairing_is_one([(two_g1, g2), (neg_g1, g2), (neg_g1, g2)]),
        not backend.pairing_is_one([(g1, g2)]),
        not backend.pairing_is_one([(two_g1, g2), (neg_g1, g2)]),
    )
    if not all(checks):
        raise RuntimeError(f"BN254 backend {backend.name} fails its self-test: {checks}")


@lru_cache(maxsize=1)
def native_backend() -> Bn254Backend | None:
    """The mcl backend if ``mclbn256`` is installed and sound here, else ``None``."""
    if os.environ.get("MAUNA_BN254_BACKEND", "").lower() in ("py_ecc", "pyecc", "python"):
        return None
    try:
        module = importlib.import_module("mclbn256.mclbn256")
        backend = MclBn254(module)
        self_test(backend)
    except Exception:
        return None
    return backend


# --- the precompiles ---------------------------------------------------------------------------
def ecmul_output(data: bytes, backend: Bn254Backend) -> bytes:
    """ECMUL of ``x ‖ y ‖ k`` (right-padded with zeros to 96 bytes)."""
    data = data[:96].ljust(96, b"\x00")
    point = g1_point(int.from_bytes(data[0:32], "big"), int.from_bytes(data[32:64], "big"))
    scalar = int.from_bytes(data[64:96], "big") % CURVE_ORDER  # G1 has prime order r
    result = None if point is None or scalar == 0 else backend.g1_mul(point, scalar)
    if result is None:
        return _ZERO_WORD * 2
    return result[0].to_bytes(32, "big") + result[1].to_bytes(32, "big")


def pairing_check(data: bytes, backend: Bn254Backend) -> bool:
    """ECPAIRING of ``k`` 192-byte ``(G1, G2)`` pairs (``len(data) % 192 == 0``)."""
    pairs: list[tuple[G1Affine, G2Affine]] = []
    p = FIELD_MODULUS
    for start in range(0, len(data), 192):
        words = [int.from_bytes(data[i : i + 32], "big") for i in range(start, start + 192, 32)]
        g1 = g1_point(words[0], words[1])
        x_i, x_r, y_i, y_r = words[2:6]
        if x_i >= p or x_r >= p or y_i >= p or y_r >= p:
            raise InvalidPointError("G2 coordinate not below the field modulus")
        g2: G2Affine | None = None
        if x_i or x_r or y_i or y_r:
            g2 = ((x_r, x_i), (y_r, y_i))
            if not g2_on_curve(*g2):
                raise InvalidPointError("G2 point not on the curve")
            if not backend.g2_in_subgroup(g2):
                raise InvalidPointError("G2 point not in the subgroup")
        if g1 is not None and g2 is not None:
            pairs.append((g1, g2))
    return backend.pairing_is_one(pairs)


def make_ecmul(backend: Bn254Backend, gas_cost: int) -> Callable[[Any], Any]:
    def ecmul(computation: Any) -> Any:
        computation.consume_gas(gas_cost, reason="ECMUL Precompile")
        try:
            computation.output = ecmul_output(bytes(computation.msg.data), backend)
        except InvalidPointError as exc:
            raise VMError("Invalid ECMUL parameters") from exc
        return computation

    return ecmul


def make_ecpairing(backend: Bn254Backend, gas_base: int, gas_per_pair: int) -> Callable[[Any], Any]:
    def ecpairing(computation: Any) -> Any:
        data = bytes(computation.msg.data)
        if len(data) % 192:
            raise VMError("Invalid ECPAIRING parameters")
        computation.consume_gas(gas_base + len(data) // 192 * gas_per_pair, reason="ECPAIRING Precompile")
        try:
            ok = pairing_check(data, backend)
        except InvalidPointError as exc:
            raise VMError("Invalid ECPAIRING parameters") from exc
        computation.output = _ONE_WORD if ok else _ZERO_WORD
        return computation

    return ecpairing
