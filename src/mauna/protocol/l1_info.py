"""The L1 attributes deposited transaction ("L1-info tx") and its calldata, per fork.

Spec: protocol/deposits.md ("L1 Attributes Deposited Transaction", "L1 Attributes - Bedrock,
Canyon, Delta"), protocol/ecotone/l1-attributes.md, protocol/isthmus/l1-attributes.md,
protocol/jovian/l1-attributes.md, protocol/regolith/overview.md (gas and ``isSystemTx``) and
protocol/system-config.md ("Post-Ecotone Scalar Encoding").

Four calldata layouts exist:

* Bedrock ``setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)``,
  ABI-encoded, 260 bytes, selector ``0x015d8eb9``;
* Ecotone ``setL1BlockValuesEcotone()``, packed, 164 bytes, selector ``0x440a5e20``;
* Isthmus ``setL1BlockValuesIsthmus()``: Ecotone plus operator fee scalar (4) and constant (8),
  176 bytes, selector ``0x098999be``;
* Jovian ``setL1BlockValuesJovian()``: Isthmus plus the DA footprint gas scalar (2), 178 bytes,
  selector ``0x3db6be2b``.

Decoding is exact (length, selector) and, like op-node, requires the ABI padding of the Bedrock
``uint64`` words and of the batcher hash (version 0: 12 zero bytes, then the address) to be zero.

Which layout a block uses: a fork's own layout starts in the block *after* its activation block;
the activation block still uses the previous layout because the L1Block contract is upgraded by
that block's upgrade transactions, which follow the L1-info tx. So: Bedrock before Ecotone and on
the first Ecotone block; Ecotone after that; Isthmus from the block after the Isthmus activation
block; Jovian from the block after the Jovian activation block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

from mauna.errors import DecodeError, DepositError, L1InfoError, SystemConfigError
from mauna.genesis.blob_schedule import L1BlobSchedule, l1_info_blob_base_fee
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID
from mauna.primitives.bytes import from_hex, hex_to_int, keccak256, to_hex
from mauna.primitives.header import Header
from mauna.protocol.deposits import DepositTx, l1_info_deposit_source_hash
from mauna.protocol.system_config_logs import decode_ecotone_scalar

L1_INFO_DEPOSITOR_ADDRESS = bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")
"""The L1 attributes depositor account (protocol/deposits.md)."""
L1_BLOCK_ADDRESS = bytes.fromhex("4200000000000000000000000000000000000015")
"""The L1 attributes predeployed contract, ``L1Block``."""

PRE_REGOLITH_L1_INFO_GAS = 150_000_000
REGOLITH_SYSTEM_TX_GAS = 1_000_000
DA_FOOTPRINT_GAS_SCALAR_DEFAULT = 400
"""Jovian: an L1-info tx carries 400 when the SystemConfig value is 0 (or was never set)."""

L1_INFO_BEDROCK_SIGNATURE = "setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)"
L1_INFO_ECOTONE_SIGNATURE = "setL1BlockValuesEcotone()"
L1_INFO_ISTHMUS_SIGNATURE = "setL1BlockValuesIsthmus()"
L1_INFO_JOVIAN_SIGNATURE = "setL1BlockValuesJovian()"

L1_INFO_BEDROCK_SELECTOR = keccak256(L1_INFO_BEDROCK_SIGNATURE.encode("ascii"))[:4]
L1_INFO_ECOTONE_SELECTOR = keccak256(L1_INFO_ECOTONE_SIGNATURE.encode("ascii"))[:4]
L1_INFO_ISTHMUS_SELECTOR = keccak256(L1_INFO_ISTHMUS_SIGNATURE.encode("ascii"))[:4]
L1_INFO_JOVIAN_SELECTOR = keccak256(L1_INFO_JOVIAN_SIGNATURE.encode("ascii"))[:4]

L1_INFO_BEDROCK_LEN = 4 + 32 * 8
L1_INFO_ECOTONE_LEN = 4 + 32 * 5
L1_INFO_ISTHMUS_LEN = L1_INFO_ECOTONE_LEN + 4 + 8
L1_INFO_JOVIAN_LEN = L1_INFO_ISTHMUS_LEN + 2


# --- field validation and JSON ----------------------------------------------------------------------

_UINT_BITS: dict[str, int] = {
    "number": 64,
    "time": 64,
    "base_fee": 256,
    "sequence_number": 64,
    "l1_fee_overhead": 256,
    "l1_fee_scalar": 256,
    "blob_base_fee": 256,
    "base_fee_scalar": 32,
    "blob_base_fee_scalar": 32,
    "operator_fee_scalar": 32,
    "operator_fee_constant": 64,
    "da_footprint_gas_scalar": 16,
}
_BYTES32_FIELDS = ("hash", "batcher_hash")


def _validate(info: Any) -> None:
    fork = info.FORK
    for f in fields(info):
        value = getattr(info, f.name)
        if f.name in _BYTES32_FIELDS:
            if not isinstance(value, bytes) or len(value) != 32:
                raise L1InfoError(f"{fork} L1 info: {f.name} must be 32 bytes, got {value!r}")
        else:
            bits = _UINT_BITS[f.name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << bits:
                raise L1InfoError(f"{fork} L1 info: {f.name} {value!r} is not a uint{bits}")
    if any(info.batcher_hash[:12]):
        raise L1InfoError(
            f"{fork} L1 info: batcher_hash 0x{info.batcher_hash.hex()} is not a version-0 batcher hash"
        )


def _to_json(info: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"fork": info.FORK}
    for f in fields(info):
        value = getattr(info, f.name)
        out[f.name] = to_hex(value) if isinstance(value, bytes) else value
    return out


def _from_json_kwargs(cls: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    fork = cls.FORK
    if not isinstance(data, Mapping):
        raise L1InfoError(f"{fork} L1 info JSON: expected an object, got {type(data).__name__}")
    if "fork" in data and data["fork"] != fork:
        raise L1InfoError(f"{fork} L1 info JSON: fork is {data['fork']!r}")
    names = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(names) - {"fork"})
    if unknown:
        raise L1InfoError(f"{fork} L1 info JSON: unknown keys {unknown}")
    kwargs: dict[str, Any] = {}
    for name in names:
        if name not in data:
            raise L1InfoError(f"{fork} L1 info JSON: missing key {name!r}")
        try:
            if name in _BYTES32_FIELDS:
                kwargs[name] = from_hex(data[name], length=32, what=f"{fork} L1 info {name}")
            else:
                kwargs[name] = hex_to_int(data[name], what=f"{fork} L1 info {name}")
        except DecodeError as exc:
            raise L1InfoError(str(exc)) from exc
    return kwargs


# --- calldata helpers -------------------------------------------------------------------------------


def _check_calldata(data: bytes, selector: bytes, length: int, fork: str) -> None:
    if not isinstance(data, bytes | bytearray):
        raise L1InfoError(f"{fork} L1 info calldata: expected bytes, got {type(data).__name__}")
    if len(data) != length:
        raise L1InfoError(f"{fork} L1 info calldata: {len(data)} bytes, expected {length}")
    if data[:4] != selector:
        raise L1InfoError(
            f"{fork} L1 info calldata: selector 0x{bytes(data[:4]).hex()}, expected 0x{selector.hex()}"
        )


def _abi_uint64(word: bytes, fork: str, name: str) -> int:
    if any(word[:24]):
        raise L1InfoError(f"{fork} L1 info calldata: {name} word 0x{word.hex()} has non-zero padding")
    return int.from_bytes(word[24:], "big")


def _batcher_hash(word: bytes, fork: str) -> bytes:
    if any(word[:12]):
        raise L1InfoError(f"{fork} L1 info calldata: batcher hash 0x{word.hex()} has non-zero padding")
    return bytes(word)


def _encode_ecotone_body(info: Any) -> bytes:
    return (
        info.base_fee_scalar.to_bytes(4, "big")
        + info.blob_base_fee_scalar.to_bytes(4, "big")
        + info.sequence_number.to_bytes(8, "big")
        + info.time.to_bytes(8, "big")
        + info.number.to_bytes(8, "big")
        + info.base_fee.to_bytes(32, "big")
        + info.blob_base_fee.to_bytes(32, "big")
        + info.hash
        + info.batcher_hash
    )


def _decode_ecotone_body(data: bytes, fork: str) -> dict[str, Any]:
    """Fields of the packed Ecotone layout, from ``data`` including the 4-byte selector."""
    return {
        "base_fee_scalar": int.from_bytes(data[4:8], "big"),
        "blob_base_fee_scalar": int.from_bytes(data[8:12], "big"),
        "sequence_number": int.from_bytes(data[12:20], "big"),
        "time": int.from_bytes(data[20:28], "big"),
        "number": int.from_bytes(data[28:36], "big"),
        "base_fee": int.from_bytes(data[36:68], "big"),
        "blob_base_fee": int.from_bytes(data[68:100], "big"),
        "hash": bytes(data[100:132]),
        "batcher_hash": _batcher_hash(bytes(data[132:164]), fork),
    }


def _encode_isthmus_body(info: Any) -> bytes:
    """The Ecotone body, then the operator fee scalar (4 bytes) and constant (8 bytes)."""
    return (
        _encode_ecotone_body(info)
        + info.operator_fee_scalar.to_bytes(4, "big")
        + info.operator_fee_constant.to_bytes(8, "big")
    )


def _decode_isthmus_body(data: bytes, fork: str) -> dict[str, Any]:
    """Fields of the Isthmus layout (the Ecotone body and the operator fee parameters)."""
    return {
        **_decode_ecotone_body(data, fork),
        "operator_fee_scalar": int.from_bytes(data[164:168], "big"),
        "operator_fee_constant": int.from_bytes(data[168:176], "big"),
    }


# --- the four layouts -------------------------------------------------------------------------------


class _L1BlockInfoBase:
    """What every layout shares: validation on construction, the origin and the JSON form."""

    __slots__ = ()

    number: int
    hash: bytes
    batcher_hash: bytes
    FORK: ClassVar[str]

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def batcher_address(self) -> bytes:
        return self.batcher_hash[12:]

    def block_id(self) -> BlockID:
        """The L1 origin ``(hash, number)``."""
        return BlockID(self.hash, self.number)

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(**_from_json_kwargs(cls, data))


@dataclass(frozen=True, slots=True)
class L1BlockInfoBedrock(_L1BlockInfoBase):
    """``setL1BlockValues`` (Bedrock, Canyon, Delta; and the first Ecotone block).

    ``hash`` is the L1 block hash; ``batcher_hash`` the version-0 batcher hash (32 bytes);
    ``l1_fee_overhead`` / ``l1_fee_scalar`` the raw SystemConfig ``overhead`` / ``scalar`` words.
    """

    number: int
    time: int
    base_fee: int
    hash: bytes
    sequence_number: int
    batcher_hash: bytes
    l1_fee_overhead: int
    l1_fee_scalar: int

    FORK: ClassVar[str] = "bedrock"
    SELECTOR: ClassVar[bytes] = L1_INFO_BEDROCK_SELECTOR
    LENGTH: ClassVar[int] = L1_INFO_BEDROCK_LEN

    def encode_calldata(self) -> bytes:
        return (
            self.SELECTOR
            + self.number.to_bytes(32, "big")
            + self.time.to_bytes(32, "big")
            + self.base_fee.to_bytes(32, "big")
            + self.hash
            + self.sequence_number.to_bytes(32, "big")
            + self.batcher_hash
            + self.l1_fee_overhead.to_bytes(32, "big")
            + self.l1_fee_scalar.to_bytes(32, "big")
        )

    @classmethod
    def decode_calldata(cls, data: bytes) -> L1BlockInfoBedrock:
        _check_calldata(data, cls.SELECTOR, cls.LENGTH, cls.FORK)
        words = [bytes(data[4 + 32 * i : 36 + 32 * i]) for i in range(8)]
        return cls(
            number=_abi_uint64(words[0], cls.FORK, "number"),
            time=_abi_uint64(words[1], cls.FORK, "time"),
            base_fee=int.from_bytes(words[2], "big"),
            hash=words[3],
            sequence_number=_abi_uint64(words[4], cls.FORK, "sequence number"),
            batcher_hash=_batcher_hash(words[5], cls.FORK),
            l1_fee_overhead=int.from_bytes(words[6], "big"),
            l1_fee_scalar=int.from_bytes(words[7], "big"),
        )


@dataclass(frozen=True, slots=True)
class L1BlockInfoEcotone(_L1BlockInfoBase):
    """``setL1BlockValuesEcotone`` (from the block after the Ecotone activation block)."""

    number: int
    time: int
    base_fee: int
    hash: bytes
    sequence_number: int
    batcher_hash: bytes
    blob_base_fee: int
    base_fee_scalar: int
    blob_base_fee_scalar: int

    FORK: ClassVar[str] = "ecotone"
    SELECTOR: ClassVar[bytes] = L1_INFO_ECOTONE_SELECTOR
    LENGTH: ClassVar[int] = L1_INFO_ECOTONE_LEN

    def encode_calldata(self) -> bytes:
        return self.SELECTOR + _encode_ecotone_body(self)

    @classmethod
    def decode_calldata(cls, data: bytes) -> L1BlockInfoEcotone:
        _check_calldata(data, cls.SELECTOR, cls.LENGTH, cls.FORK)
        return cls(**_decode_ecotone_body(bytes(data), cls.FORK))


@dataclass(frozen=True, slots=True)
class L1BlockInfoIsthmus(_L1BlockInfoBase):
    """``setL1BlockValuesIsthmus`` (from the block after the Isthmus activation block)."""

    number: int
    time: int
    base_fee: int
    hash: bytes
    sequence_number: int
    batcher_hash: bytes
    blob_base_fee: int
    base_fee_scalar: int
    blob_base_fee_scalar: int
    operator_fee_scalar: int
    operator_fee_constant: int

    FORK: ClassVar[str] = "isthmus"
    SELECTOR: ClassVar[bytes] = L1_INFO_ISTHMUS_SELECTOR
    LENGTH: ClassVar[int] = L1_INFO_ISTHMUS_LEN

    def encode_calldata(self) -> bytes:
        return self.SELECTOR + _encode_isthmus_body(self)

    @classmethod
    def decode_calldata(cls, data: bytes) -> L1BlockInfoIsthmus:
        _check_calldata(data, cls.SELECTOR, cls.LENGTH, cls.FORK)
        return cls(**_decode_isthmus_body(bytes(data), cls.FORK))


@dataclass(frozen=True, slots=True)
class L1BlockInfoJovian(_L1BlockInfoBase):
    """``setL1BlockValuesJovian`` (from the block after the Jovian activation block).

    ``da_footprint_gas_scalar`` is carried as encoded; the builder substitutes the default (400)
    for a SystemConfig value of 0, decoding does not.
    """

    number: int
    time: int
    base_fee: int
    hash: bytes
    sequence_number: int
    batcher_hash: bytes
    blob_base_fee: int
    base_fee_scalar: int
    blob_base_fee_scalar: int
    operator_fee_scalar: int
    operator_fee_constant: int
    da_footprint_gas_scalar: int

    FORK: ClassVar[str] = "jovian"
    SELECTOR: ClassVar[bytes] = L1_INFO_JOVIAN_SELECTOR
    LENGTH: ClassVar[int] = L1_INFO_JOVIAN_LEN

    def encode_calldata(self) -> bytes:
        return self.SELECTOR + _encode_isthmus_body(self) + self.da_footprint_gas_scalar.to_bytes(2, "big")

    @classmethod
    def decode_calldata(cls, data: bytes) -> L1BlockInfoJovian:
        _check_calldata(data, cls.SELECTOR, cls.LENGTH, cls.FORK)
        return cls(
            **_decode_isthmus_body(bytes(data), cls.FORK),
            da_footprint_gas_scalar=int.from_bytes(data[176:178], "big"),
        )


L1BlockInfo = L1BlockInfoBedrock | L1BlockInfoEcotone | L1BlockInfoIsthmus | L1BlockInfoJovian

_BY_SELECTOR: dict[
    bytes,
    type[L1BlockInfoBedrock] | type[L1BlockInfoEcotone] | type[L1BlockInfoIsthmus] | type[L1BlockInfoJovian],
] = {
    L1_INFO_BEDROCK_SELECTOR: L1BlockInfoBedrock,
    L1_INFO_ECOTONE_SELECTOR: L1BlockInfoEcotone,
    L1_INFO_ISTHMUS_SELECTOR: L1BlockInfoIsthmus,
    L1_INFO_JOVIAN_SELECTOR: L1BlockInfoJovian,
}
_BY_FORK = {cls.FORK: cls for cls in _BY_SELECTOR.values()}


def decode_l1_info(calldata: bytes) -> L1BlockInfo:
    """Decode L1-info calldata of any fork, chosen by its 4-byte selector."""
    if not isinstance(calldata, bytes | bytearray):
        raise L1InfoError(f"L1 info calldata: expected bytes, got {type(calldata).__name__}")
    if len(calldata) < 4:
        raise L1InfoError(f"L1 info calldata: {len(calldata)} bytes, too short for a selector")
    cls = _BY_SELECTOR.get(bytes(calldata[:4]))
    if cls is None:
        raise L1InfoError(f"L1 info calldata: unknown selector 0x{bytes(calldata[:4]).hex()}")
    return cls.decode_calldata(bytes(calldata))


def l1_info_from_json(data: Mapping[str, Any]) -> L1BlockInfo:
    """Inverse of ``to_json()`` for any fork, chosen by the ``"fork"`` key."""
    if not isinstance(data, Mapping):
        raise L1InfoError(f"L1 info JSON: expected an object, got {type(data).__name__}")
    cls = _BY_FORK.get(data.get("fork"))  # type: ignore[arg-type]
    if cls is None:
        raise L1InfoError(f"L1 info JSON: unknown fork {data.get('fork')!r}; known: {sorted(_BY_FORK)}")
    return cls.from_json(data)


# --- the deposit transaction ------------------------------------------------------------------------


def l1_info_deposit_tx(info: L1BlockInfo, *, regolith: bool) -> DepositTx:
    """The L1 attributes deposited transaction carrying ``info``.

    From the depositor account to ``L1Block``, mint and value 0, source hash from the L1 block hash
    and sequence number; before Regolith gas 150,000,000 and ``isSystemTx``, from Regolith gas
    1,000,000 and not a system tx.
    """
    return DepositTx(
        source_hash=l1_info_deposit_source_hash(info.hash, info.sequence_number),
        from_=L1_INFO_DEPOSITOR_ADDRESS,
        to=L1_BLOCK_ADDRESS,
        mint=0,
        value=0,
        gas=REGOLITH_SYSTEM_TX_GAS if regolith else PRE_REGOLITH_L1_INFO_GAS,
        is_system_tx=not regolith,
        data=info.encode_calldata(),
    )


def decode_l1_info_tx(raw_tx: bytes) -> tuple[DepositTx, L1BlockInfo]:
    """Decode an encoded L1-info deposit tx (``0x7E`` envelope) and its calldata.

    The tx must be a deposit from the L1 attributes depositor to ``L1Block``.
    """
    try:
        tx = DepositTx.decode(raw_tx)
    except DepositError as exc:
        raise L1InfoError(f"L1 info tx: {exc}") from exc
    if tx.from_ != L1_INFO_DEPOSITOR_ADDRESS:
        raise L1InfoError(f"L1 info tx: from 0x{tx.from_.hex()} is not the L1 attributes depositor")
    if tx.to != L1_BLOCK_ADDRESS:
        to = "contract creation" if tx.to is None else f"0x{tx.to.hex()}"
        raise L1InfoError(f"L1 info tx: to {to} is not the L1Block predeploy")
    return tx, decode_l1_info(tx.data)


# --- building from an L1 header ---------------------------------------------------------------------


def _ecotone_scalars(system_config: SystemConfig) -> tuple[int, int]:
    """``(base_fee_scalar, blob_base_fee_scalar)``: the explicit fields when set, else the
    post-Ecotone decoding of ``scalar``."""
    if system_config.base_fee_scalar is not None:
        return system_config.base_fee_scalar, system_config.blob_base_fee_scalar or 0
    try:
        scalars = decode_ecotone_scalar(system_config.scalar)
    except SystemConfigError as exc:
        raise L1InfoError(f"L1 info: cannot read Ecotone fee scalars: {exc}") from exc
    return scalars.base_fee_scalar, scalars.blob_base_fee_scalar


def l1_info_from_header(
    rollup_config: RollupConfig,
    system_config: SystemConfig,
    seq_number: int,
    l1_header: Header,
    l2_timestamp: int,
    *,
    l1_blob_schedule: L1BlobSchedule | None = None,
) -> L1BlockInfo:
    """The L1 info of the L2 block at ``l2_timestamp`` with L1 origin ``l1_header``.

    The layout follows the fork rules in the module docstring. The blob base fee comes from the L1
    header's ``excess_blob_gas`` under the update fraction the L1 chain uses at that block
    (:func:`mauna.genesis.blob_schedule.l1_info_blob_base_fee`: ``l1_blob_schedule``, default the
    bundled schedule of ``rollup_config.l1_chain_id``, with the Pectra blob schedule override), or 1
    before Cancun. Fee scalars come from the SystemConfig; the Jovian DA footprint gas scalar
    defaults to 400 when unset or 0.
    """
    number = l1_header.number
    time = l1_header.timestamp
    base_fee = l1_header.base_fee_per_gas or 0
    block_hash = l1_header.hash()
    batcher_hash = system_config.batcher_hash

    ts = l2_timestamp
    if not rollup_config.is_ecotone_active(ts) or rollup_config.is_first_ecotone_block(ts):
        return L1BlockInfoBedrock(
            number=number,
            time=time,
            base_fee=base_fee,
            hash=block_hash,
            sequence_number=seq_number,
            batcher_hash=batcher_hash,
            l1_fee_overhead=system_config.overhead,
            l1_fee_scalar=system_config.scalar,
        )

    base_fee_scalar, blob_base_fee_scalar = _ecotone_scalars(system_config)
    blob_base_fee = l1_info_blob_base_fee(rollup_config, time, l1_header.excess_blob_gas, l1_blob_schedule)
    ecotone: dict[str, Any] = {
        "number": number,
        "time": time,
        "base_fee": base_fee,
        "hash": block_hash,
        "sequence_number": seq_number,
        "batcher_hash": batcher_hash,
        "blob_base_fee": blob_base_fee,
        "base_fee_scalar": base_fee_scalar,
        "blob_base_fee_scalar": blob_base_fee_scalar,
    }
    operator: dict[str, Any] = {
        "operator_fee_scalar": system_config.operator_fee_scalar or 0,
        "operator_fee_constant": system_config.operator_fee_constant or 0,
    }
    if rollup_config.is_jovian_active(ts) and not rollup_config.is_first_jovian_block(ts):
        da_scalar = system_config.da_footprint_gas_scalar or DA_FOOTPRINT_GAS_SCALAR_DEFAULT
        return L1BlockInfoJovian(**ecotone, **operator, da_footprint_gas_scalar=da_scalar)
    if rollup_config.is_isthmus_active(ts) and not rollup_config.is_first_isthmus_block(ts):
        return L1BlockInfoIsthmus(**ecotone, **operator)
    return L1BlockInfoEcotone(**ecotone)


def l1_info_deposit_from_header(
    rollup_config: RollupConfig,
    system_config: SystemConfig,
    seq_number: int,
    l1_header: Header,
    l2_timestamp: int,
    *,
    l1_blob_schedule: L1BlobSchedule | None = None,
) -> tuple[L1BlockInfo, DepositTx]:
    """:func:`l1_info_from_header` and its deposit tx (Regolith rules at ``l2_timestamp``)."""
    info = l1_info_from_header(
        rollup_config, system_config, seq_number, l1_header, l2_timestamp, l1_blob_schedule=l1_blob_schedule
    )
    return info, l1_info_deposit_tx(info, regolith=rollup_config.is_regolith_active(l2_timestamp))
