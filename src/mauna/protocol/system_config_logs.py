"""SystemConfig ``ConfigUpdate`` logs and how they change the system configuration.

Spec: protocol/system-config.md ("System Config Updates", "Post-Ecotone Scalar Encoding"),
protocol/holocene/system-config.md (type 4, EIP-1559 parameters), protocol/isthmus/system-config.md
(type 5, operator fee) and protocol/jovian/system-config.md (type 6, minimum base fee; type 7, DA
footprint gas scalar).

The event is ``ConfigUpdate(uint256 indexed version, uint8 indexed updateType, bytes data)``: topics
are the event signature, the version (only 0 is known) and the update type (a 32-byte word equal
to 0..7). The data is the ABI encoding of the single ``bytes`` argument: an offset word (32), a
length word, then the payload padded to whole words. Every update type has one exact layout,
parsed as strictly as op-node does (``op-node/rollup/derive/system_config.go``):

====  =====================  ==============  ======================================================
type  name                   payload length  payload
====  =====================  ==============  ======================================================
0     BATCHER                32              address word (12 zero bytes, 20-byte address)
1     FEE_SCALARS            64              overhead word, scalar word
2     GAS_LIMIT              32              uint64 word (24 zero bytes)
3     UNSAFE_BLOCK_SIGNER    32              address word
4     EIP1559_PARAMS         32              word; bytes 24..28 denominator, 28..32 elasticity
5     OPERATOR_FEE           32              word; bytes 20..24 scalar, 24..32 constant
6     MIN_BASE_FEE           32              uint64 word
7     DA_FOOTPRINT           32              uint16 word (30 zero bytes)
====  =====================  ==============  ======================================================

The length word must equal the payload length and no bytes may follow the payload. As in
op-node, bytes 0..24 of the EIP-1559 word and bytes 0..20 of the operator-fee word are not
inspected; the EIP-1559 denominator and elasticity must be both zero or both non-zero.

Updates that cannot be parsed are skipped (system-config.md: "it is not applied and is instead
skipped"); :func:`update_system_config_from_receipts` applies each log to a copy and keeps the
previous configuration when a log fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from mauna.errors import SystemConfigError
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.bytes import keccak256
from mauna.primitives.receipt import Log, Receipt

CONFIG_UPDATE_EVENT_ABI = "ConfigUpdate(uint256,uint8,bytes)"
CONFIG_UPDATE_TOPIC = keccak256(CONFIG_UPDATE_EVENT_ABI.encode("ascii"))
"""``keccak256("ConfigUpdate(uint256,uint8,bytes)")``: the event's topic 0."""
CONFIG_UPDATE_EVENT_VERSION_0 = 0

MAX_UINT32 = (1 << 32) - 1

# Post-Ecotone scalar versions (system-config.md, "Post-Ecotone Scalar Encoding").
L1_SCALAR_VERSION_BEDROCK = 0
L1_SCALAR_VERSION_ECOTONE = 1


class SystemConfigUpdateType(IntEnum):
    """``ConfigUpdate`` update types of event version 0."""

    BATCHER = 0
    FEE_SCALARS = 1
    GAS_LIMIT = 2
    UNSAFE_BLOCK_SIGNER = 3
    EIP1559_PARAMS = 4
    OPERATOR_FEE = 5
    MIN_BASE_FEE = 6
    DA_FOOTPRINT = 7


# --- ABI helpers ----------------------------------------------------------------------------------


def _payload(data: bytes, payload_len: int, what: str) -> bytes:
    """Check the offset and length words of the ``bytes`` argument and return the payload."""
    if len(data) < 32:
        raise SystemConfigError(f"{what} update: data has {len(data)} bytes, no offset word")
    pointer = _uint_word(data[0:32], 64, f"{what} update: offset word")
    if pointer != 32:
        raise SystemConfigError(f"{what} update: offset word is {pointer}, expected 32")
    if len(data) < 64:
        raise SystemConfigError(f"{what} update: data has {len(data)} bytes, no length word")
    length = _uint_word(data[32:64], 64, f"{what} update: length word")
    if length != payload_len:
        raise SystemConfigError(f"{what} update: length word is {length}, expected {payload_len}")
    if len(data) < 64 + payload_len:
        raise SystemConfigError(
            f"{what} update: data has {len(data)} bytes, payload needs {64 + payload_len}"
        )
    if len(data) > 64 + payload_len:
        raise SystemConfigError(
            f"{what} update: {len(data) - 64 - payload_len} unexpected bytes after the payload"
        )
    return data[64 : 64 + payload_len]


def _uint_word(word: bytes, bits: int, what: str) -> int:
    """A 32-byte ABI word holding an unsigned integer of ``bits`` bits (zero left padding)."""
    value = int.from_bytes(word, "big")
    if value >> bits:
        raise SystemConfigError(f"{what}: 0x{word.hex()} does not fit in uint{bits}")
    return value


def _address_word(word: bytes, what: str) -> bytes:
    if any(word[:12]):
        raise SystemConfigError(f"{what}: address word 0x{word.hex()} has non-zero padding")
    return bytes(word[12:])


def _encode(payload: bytes) -> bytes:
    return (32).to_bytes(32, "big") + len(payload).to_bytes(32, "big") + payload


def _check_uint(value: int, bits: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << bits:
        raise SystemConfigError(f"{what}: {value!r} is not a uint{bits}")


def _check_address(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != 20:
        raise SystemConfigError(f"{what}: expected a 20-byte address, got {value!r}")


# --- Update types ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatcherUpdate:
    """Type 0: the batcher address (the V0 batcher hash)."""

    batcher_address: bytes
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.BATCHER

    def __post_init__(self) -> None:
        _check_address(self.batcher_address, "batcher update: batcher_address")

    @classmethod
    def decode(cls, data: bytes) -> BatcherUpdate:
        payload = _payload(data, 32, "batcher")
        return cls(_address_word(payload, "batcher update"))

    def encode(self) -> bytes:
        return _encode(b"\x00" * 12 + self.batcher_address)


@dataclass(frozen=True, slots=True)
class FeeScalarsUpdate:
    """Type 1: ``overhead`` and ``scalar`` (post-Ecotone ``scalar`` is the versioned encoding)."""

    overhead: int
    scalar: int
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.FEE_SCALARS

    def __post_init__(self) -> None:
        _check_uint(self.overhead, 256, "fee scalars update: overhead")
        _check_uint(self.scalar, 256, "fee scalars update: scalar")

    @classmethod
    def decode(cls, data: bytes) -> FeeScalarsUpdate:
        payload = _payload(data, 64, "fee scalars")
        return cls(int.from_bytes(payload[0:32], "big"), int.from_bytes(payload[32:64], "big"))

    def encode(self) -> bytes:
        return _encode(self.overhead.to_bytes(32, "big") + self.scalar.to_bytes(32, "big"))


@dataclass(frozen=True, slots=True)
class GasLimitUpdate:
    """Type 2: the L2 block gas limit."""

    gas_limit: int
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.GAS_LIMIT

    def __post_init__(self) -> None:
        _check_uint(self.gas_limit, 64, "gas limit update: gas_limit")

    @classmethod
    def decode(cls, data: bytes) -> GasLimitUpdate:
        payload = _payload(data, 32, "gas limit")
        return cls(_uint_word(payload, 64, "gas limit update: gas limit"))

    def encode(self) -> bytes:
        return _encode(self.gas_limit.to_bytes(32, "big"))


@dataclass(frozen=True, slots=True)
class UnsafeBlockSignerUpdate:
    """Type 3: the unsafe block signer (policy only: no effect on derivation)."""

    unsafe_block_signer: bytes
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.UNSAFE_BLOCK_SIGNER

    def __post_init__(self) -> None:
        _check_address(self.unsafe_block_signer, "unsafe block signer update: unsafe_block_signer")

    @classmethod
    def decode(cls, data: bytes) -> UnsafeBlockSignerUpdate:
        payload = _payload(data, 32, "unsafe block signer")
        return cls(_address_word(payload, "unsafe block signer update"))

    def encode(self) -> bytes:
        return _encode(b"\x00" * 12 + self.unsafe_block_signer)


@dataclass(frozen=True, slots=True)
class Eip1559ParamsUpdate:
    """Type 4 (Holocene): ``uint256(denominator) << 32 | elasticity``."""

    eip1559_denominator: int
    eip1559_elasticity: int
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.EIP1559_PARAMS

    def __post_init__(self) -> None:
        _check_uint(self.eip1559_denominator, 32, "EIP-1559 update: denominator")
        _check_uint(self.eip1559_elasticity, 32, "EIP-1559 update: elasticity")
        if (self.eip1559_denominator == 0) != (self.eip1559_elasticity == 0):
            raise SystemConfigError(
                f"EIP-1559 update: denominator {self.eip1559_denominator} and elasticity "
                f"{self.eip1559_elasticity} must be both zero or both non-zero"
            )

    @classmethod
    def decode(cls, data: bytes) -> Eip1559ParamsUpdate:
        payload = _payload(data, 32, "EIP-1559")
        return cls(int.from_bytes(payload[24:28], "big"), int.from_bytes(payload[28:32], "big"))

    def encode(self) -> bytes:
        word = (self.eip1559_denominator << 32) | self.eip1559_elasticity
        return _encode(word.to_bytes(32, "big"))


@dataclass(frozen=True, slots=True)
class OperatorFeeUpdate:
    """Type 5 (Isthmus): ``uint256(operatorFeeScalar) << 64 | operatorFeeConstant``."""

    operator_fee_scalar: int
    operator_fee_constant: int
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.OPERATOR_FEE

    def __post_init__(self) -> None:
        _check_uint(self.operator_fee_scalar, 32, "operator fee update: scalar")
        _check_uint(self.operator_fee_constant, 64, "operator fee update: constant")

    @classmethod
    def decode(cls, data: bytes) -> OperatorFeeUpdate:
        payload = _payload(data, 32, "operator fee")
        return cls(int.from_bytes(payload[20:24], "big"), int.from_bytes(payload[24:32], "big"))

    def encode(self) -> bytes:
        word = (self.operator_fee_scalar << 64) | self.operator_fee_constant
        return _encode(word.to_bytes(32, "big"))


@dataclass(frozen=True, slots=True)
class MinBaseFeeUpdate:
    """Type 6 (Jovian): the minimum L2 base fee in wei."""

    min_base_fee: int
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.MIN_BASE_FEE

    def __post_init__(self) -> None:
        _check_uint(self.min_base_fee, 64, "min base fee update: min_base_fee")

    @classmethod
    def decode(cls, data: bytes) -> MinBaseFeeUpdate:
        payload = _payload(data, 32, "min base fee")
        return cls(_uint_word(payload, 64, "min base fee update: min base fee"))

    def encode(self) -> bytes:
        return _encode(self.min_base_fee.to_bytes(32, "big"))


@dataclass(frozen=True, slots=True)
class DaFootprintGasScalarUpdate:
    """Type 7 (Jovian): the DA footprint gas scalar (0 means "use the default" in L1 info)."""

    da_footprint_gas_scalar: int
    update_type: ClassVar[SystemConfigUpdateType] = SystemConfigUpdateType.DA_FOOTPRINT

    def __post_init__(self) -> None:
        _check_uint(self.da_footprint_gas_scalar, 16, "DA footprint update: da_footprint_gas_scalar")

    @classmethod
    def decode(cls, data: bytes) -> DaFootprintGasScalarUpdate:
        payload = _payload(data, 32, "DA footprint")
        return cls(_uint_word(payload, 16, "DA footprint update: scalar"))

    def encode(self) -> bytes:
        return _encode(self.da_footprint_gas_scalar.to_bytes(32, "big"))


ConfigUpdate = (
    BatcherUpdate
    | FeeScalarsUpdate
    | GasLimitUpdate
    | UnsafeBlockSignerUpdate
    | Eip1559ParamsUpdate
    | OperatorFeeUpdate
    | MinBaseFeeUpdate
    | DaFootprintGasScalarUpdate
)

_UPDATE_CLASSES: dict[
    SystemConfigUpdateType,
    type[BatcherUpdate]
    | type[FeeScalarsUpdate]
    | type[GasLimitUpdate]
    | type[UnsafeBlockSignerUpdate]
    | type[Eip1559ParamsUpdate]
    | type[OperatorFeeUpdate]
    | type[MinBaseFeeUpdate]
    | type[DaFootprintGasScalarUpdate],
] = {
    SystemConfigUpdateType.BATCHER: BatcherUpdate,
    SystemConfigUpdateType.FEE_SCALARS: FeeScalarsUpdate,
    SystemConfigUpdateType.GAS_LIMIT: GasLimitUpdate,
    SystemConfigUpdateType.UNSAFE_BLOCK_SIGNER: UnsafeBlockSignerUpdate,
    SystemConfigUpdateType.EIP1559_PARAMS: Eip1559ParamsUpdate,
    SystemConfigUpdateType.OPERATOR_FEE: OperatorFeeUpdate,
    SystemConfigUpdateType.MIN_BASE_FEE: MinBaseFeeUpdate,
    SystemConfigUpdateType.DA_FOOTPRINT: DaFootprintGasScalarUpdate,
}


# --- Logs -----------------------------------------------------------------------------------------


def parse_config_update_log(log: Log) -> ConfigUpdate:
    """Decode a ``ConfigUpdate`` log (the emitting address is not checked here)."""
    topics = log.topics
    if len(topics) != 3:
        raise SystemConfigError(
            f"config update log: expected 3 topics (event, version, update type), got {len(topics)}"
        )
    for i, topic in enumerate(topics):
        if len(topic) != 32:
            raise SystemConfigError(f"config update log: topic {i} has {len(topic)} bytes, expected 32")
    if topics[0] != CONFIG_UPDATE_TOPIC:
        raise SystemConfigError(f"config update log: topic 0 is 0x{topics[0].hex()}, not ConfigUpdate")
    version = int.from_bytes(topics[1], "big")
    if version != CONFIG_UPDATE_EVENT_VERSION_0:
        raise SystemConfigError(f"config update log: unknown event version {version}")
    raw_type = int.from_bytes(topics[2], "big")
    try:
        update_type = SystemConfigUpdateType(raw_type)
    except ValueError:
        raise SystemConfigError(f"config update log: unknown update type {raw_type}") from None
    return _UPDATE_CLASSES[update_type].decode(log.data)


def encode_config_update_log(update: ConfigUpdate, system_config_address: bytes) -> Log:
    """The version-0 ``ConfigUpdate`` log carrying ``update`` (inverse of the parser)."""
    _check_address(system_config_address, "config update log: address")
    topics = (
        CONFIG_UPDATE_TOPIC,
        CONFIG_UPDATE_EVENT_VERSION_0.to_bytes(32, "big"),
        int(update.update_type).to_bytes(32, "big"),
    )
    return Log(address=system_config_address, topics=topics, data=update.encode())


# --- Post-Ecotone scalar encoding -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EcotoneScalars:
    """The two L1-fee scalars of the post-Ecotone ``scalar`` encoding."""

    base_fee_scalar: int
    blob_base_fee_scalar: int


def check_ecotone_scalar(scalar: int) -> None:
    """Raise :class:`SystemConfigError` unless ``scalar`` is a well-formed post-Ecotone scalar:
    version 0 with zero bytes ``[1, 28)`` or version 1 with zero bytes ``[1, 24)``."""
    _check_uint(scalar, 256, "scalar")
    raw = scalar.to_bytes(32, "big")
    if raw[0] == L1_SCALAR_VERSION_BEDROCK:
        if any(raw[1:28]):
            raise SystemConfigError(f"scalar 0x{raw.hex()}: version 0 padding is not zero")
    elif raw[0] == L1_SCALAR_VERSION_ECOTONE:
        if any(raw[1:24]):
            raise SystemConfigError(f"scalar 0x{raw.hex()}: version 1 padding is not zero")
    else:
        raise SystemConfigError(f"scalar 0x{raw.hex()}: unknown scalar version {raw[0]}")


def decode_ecotone_scalar(scalar: int) -> EcotoneScalars:
    """Read ``baseFeeScalar`` / ``blobBaseFeeScalar`` from a post-Ecotone ``scalar``.

    Version 0: bytes ``[28, 32)`` are ``baseFeeScalar`` and ``blobBaseFeeScalar`` is 0, but if the
    padding ``[1, 28)`` is not zero, ``baseFeeScalar`` is MaxUint32 (spec). Version 1: bytes
    ``[24, 28)`` and ``[28, 32)``, with zero padding. Other versions (or a version-1 scalar with
    non-zero padding) raise :class:`SystemConfigError`.
    """
    _check_uint(scalar, 256, "scalar")
    raw = scalar.to_bytes(32, "big")
    if raw[0] == L1_SCALAR_VERSION_BEDROCK:
        if any(raw[1:28]):
            return EcotoneScalars(base_fee_scalar=MAX_UINT32, blob_base_fee_scalar=0)
        return EcotoneScalars(int.from_bytes(raw[28:32], "big"), 0)
    check_ecotone_scalar(scalar)
    return EcotoneScalars(int.from_bytes(raw[28:32], "big"), int.from_bytes(raw[24:28], "big"))


def encode_ecotone_scalar(base_fee_scalar: int, blob_base_fee_scalar: int) -> int:
    """Version-1 scalar: ``0x01 << 248 | blobBaseFeeScalar << 32 | baseFeeScalar``."""
    _check_uint(base_fee_scalar, 32, "base_fee_scalar")
    _check_uint(blob_base_fee_scalar, 32, "blob_base_fee_scalar")
    return (L1_SCALAR_VERSION_ECOTONE << 248) | (blob_base_fee_scalar << 32) | base_fee_scalar


# --- Applying updates -----------------------------------------------------------------------------


def apply_config_update(
    system_config: SystemConfig, update: ConfigUpdate, *, ecotone_active: bool
) -> SystemConfig:
    """The system configuration after ``update``.

    ``ecotone_active`` is whether Ecotone is active at the L1 block's timestamp (as op-node
    decides it). Fee scalars before Ecotone overwrite ``overhead`` and ``scalar`` as raw words
    (and clear the ``base_fee_scalar`` / ``blob_base_fee_scalar`` views, so ``scalar`` is what
    counts). From Ecotone, a ``scalar`` that is not a well-formed versioned scalar is ignored (the
    old configuration is kept); a valid one is stored with ``overhead`` zeroed and the two
    scalar views set from it.
    """
    match update:
        case BatcherUpdate(batcher_address=address):
            return dataclasses.replace(system_config, batcher_address=address)
        case FeeScalarsUpdate(overhead=overhead, scalar=scalar):
            if not ecotone_active:
                return dataclasses.replace(
                    system_config,
                    overhead=overhead,
                    scalar=scalar,
                    base_fee_scalar=None,
                    blob_base_fee_scalar=None,
                )
            try:
                check_ecotone_scalar(scalar)
            except SystemConfigError:
                return system_config
            scalars = decode_ecotone_scalar(scalar)
            return dataclasses.replace(
                system_config,
                overhead=0,
                scalar=scalar,
                base_fee_scalar=scalars.base_fee_scalar,
                blob_base_fee_scalar=scalars.blob_base_fee_scalar,
            )
        case GasLimitUpdate(gas_limit=gas_limit):
            return dataclasses.replace(system_config, gas_limit=gas_limit)
        case UnsafeBlockSignerUpdate(unsafe_block_signer=signer):
            return dataclasses.replace(system_config, unsafe_block_signer=signer)
        case Eip1559ParamsUpdate(eip1559_denominator=denominator, eip1559_elasticity=elasticity):
            return dataclasses.replace(
                system_config, eip1559_denominator=denominator, eip1559_elasticity=elasticity
            )
        case OperatorFeeUpdate(operator_fee_scalar=op_scalar, operator_fee_constant=op_constant):
            return dataclasses.replace(
                system_config, operator_fee_scalar=op_scalar, operator_fee_constant=op_constant
            )
        case MinBaseFeeUpdate(min_base_fee=min_base_fee):
            return dataclasses.replace(system_config, min_base_fee=min_base_fee)
        case DaFootprintGasScalarUpdate(da_footprint_gas_scalar=da_scalar):
            return dataclasses.replace(system_config, da_footprint_gas_scalar=da_scalar)
    raise SystemConfigError(f"apply_config_update: not a config update: {update!r}")


def update_system_config_from_receipts_with_errors(
    system_config: SystemConfig,
    receipts: Sequence[Receipt],
    l1_system_config_address: bytes,
    *,
    ecotone_active: bool,
) -> tuple[SystemConfig, list[SystemConfigError]]:
    """Like :func:`update_system_config_from_receipts`, also returning the skipped logs' errors
    (each naming the receipt and log position) for the caller to report."""
    config = system_config
    errors: list[SystemConfigError] = []
    for i, receipt in enumerate(receipts):
        if receipt.status != 1:
            continue
        for j, log in enumerate(receipt.logs):
            if (
                log.address != l1_system_config_address
                or not log.topics
                or log.topics[0] != CONFIG_UPDATE_TOPIC
            ):
                continue
            try:
                update = parse_config_update_log(log)
            except SystemConfigError as exc:
                errors.append(SystemConfigError(f"receipt {i}, log {j}: {exc}"))
                continue
            config = apply_config_update(config, update, ecotone_active=ecotone_active)
    return config, errors


def update_system_config_from_receipts(
    system_config: SystemConfig,
    receipts: Sequence[Receipt],
    l1_system_config_address: bytes,
    *,
    ecotone_active: bool,
) -> SystemConfig:
    """Apply, in order, every ``ConfigUpdate`` of an L1 block's receipts.

    Only successful receipts (status 1) and logs emitted by ``l1_system_config_address`` with the
    ``ConfigUpdate`` topic are considered; a log that cannot be parsed is skipped, as the spec and
    op-node do.
    """
    config, _ = update_system_config_from_receipts_with_errors(
        system_config, receipts, l1_system_config_address, ecotone_active=ecotone_active
    )
    return config
