"""Reading and writing rollup configs as JSON: op-node's ``rollup.json`` and kona's serde format.

Spec: protocol/rollup-node.md (the rollup node is configured with the chain's rollup config);
field names and encodings follow op-node ``rollup.Config`` / ``eth.SystemConfig`` and kona
``kona_genesis::RollupConfig``.

Both flavours share most keys, so one lenient reader handles them and their historic variants:

- integers may be JSON numbers, decimal strings or ``0x`` quantities (kona writes ``"0x32"``);
- genesis ``system_config``: ``batcherAddr`` or ``batcherAddress``; ``overhead``/``scalar`` as full
  32-byte words or short quantities; op-node's packed ``eip1559Params`` (denominator ‖ elasticity,
  4+4 bytes) and ``operatorFeeParams`` (scalar at bytes 20..24, constant at 24..32), or kona's and
  the registry's separate ``eip1559Denominator``/``operatorFeeScalar``/… fields; all-zero packed
  values read as "not set";
- EIP-1559 chain parameters: ``chain_op_config`` or kona's older ``base_fee_params`` +
  ``canyon_base_fee_params``; absent → the registry's value for ``l2_chain_id``, else OP Mainnet's;
- alt-DA: ``alt_da`` (``da_challenge_contract_address`` or ``da_challenge_address``), op-node's
  older ``plasma_config`` or top-level legacy ``da_challenge_contract_address`` …;
- missing fork times mean "not scheduled"; unknown keys are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from mauna.errors import ConfigError, DecodeError
from mauna.genesis.hardforks import HARDFORK_TIME_FIELDS
from mauna.genesis.rollup_config import (
    CHANNEL_TIMEOUT_BEDROCK,
    DEFAULT_INTEROP_MESSAGE_EXPIRY_WINDOW,
    GRANITE_CHANNEL_TIMEOUT,
    OP_MAINNET_CHAIN_OP_CONFIG,
    AltDAConfig,
    ChainGenesis,
    ChainOpConfig,
    RollupConfig,
)
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID
from mauna.primitives.bytes import ADDRESS_ZERO, from_hex, hex_to_int, to_hex

Flavour = Literal["op-node", "kona"]

_KONA_MARKERS = (
    "granite_channel_timeout",
    "interop_message_expiry_window",
    "superchain_config_address",
    "base_fee_params",
    "canyon_base_fee_params",
    "blobs_data",
)
_KONA_SYSCFG_MARKERS = ("batcherAddress", "baseFeeScalar", "blobBaseFeeScalar", "eip1559Denominator")
_OP_NODE_SYSCFG_MARKERS = ("eip1559Params", "operatorFeeParams")

UINT64_MAX = 2**64 - 1


# --- scalar readers -------------------------------------------------------------------------------
def _int(value: Any, where: str, *, bits: int = 64) -> int:
    try:
        out = hex_to_int(value, what=where)
    except DecodeError as exc:
        raise ConfigError(str(exc)) from None
    if out < 0 or out >= 1 << bits:
        raise ConfigError(f"{where}: {out} out of range for uint{bits}")
    return out


def _opt_int(value: Any, where: str, *, bits: int = 64) -> int | None:
    return None if value is None else _int(value, where, bits=bits)


def _bytes(value: Any, where: str, length: int) -> bytes:
    try:
        return from_hex(value, length=length, what=where)
    except DecodeError as exc:
        raise ConfigError(str(exc)) from None


def _word(value: Any, where: str) -> int:
    """A 32-byte word written as full hex, a short quantity, or an integer."""
    if isinstance(value, str):
        digits = value.strip()
        digits = digits[2:] if digits[:2] in ("0x", "0X") else digits
        if len(digits) % 2:
            digits = "0" + digits
        try:
            raw = from_hex(digits, what=where)
        except DecodeError as exc:
            raise ConfigError(str(exc)) from None
        if len(raw) > 32:
            raise ConfigError(f"{where}: {len(raw)} bytes exceed a 32-byte word")
        return int.from_bytes(raw, "big")
    return _int(value, where, bits=256)


def _address(value: Any, where: str) -> bytes:
    return _bytes(value, where, 20)


def _opt_address(value: Any, where: str) -> bytes | None:
    return None if value is None else _address(value, where)


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise ConfigError(f"{where}: missing required field {key!r}")
    return data[key]


def _first(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


# --- pieces ---------------------------------------------------------------------------------------
def block_id_from_json(data: Any, where: str) -> BlockID:
    obj = _obj(data, where)
    return BlockID(
        _bytes(_require(obj, "hash", where), f"{where}.hash", 32),
        _int(_require(obj, "number", where), f"{where}.number"),
    )


def system_config_from_json(data: Any, where: str = "system_config") -> SystemConfig:
    """Genesis SystemConfig in any of the op-node / kona / superchain-registry spellings."""
    obj = _obj(data, where)
    batcher = _first(obj, "batcherAddr", "batcherAddress", "batcher_address")
    if batcher is None:
        raise ConfigError(f"{where}: missing required field 'batcherAddr'")
    eip1559_denominator = _opt_int(obj.get("eip1559Denominator"), f"{where}.eip1559Denominator", bits=32)
    eip1559_elasticity = _opt_int(obj.get("eip1559Elasticity"), f"{where}.eip1559Elasticity", bits=32)
    if obj.get("eip1559Params") is not None:
        packed = _word(obj["eip1559Params"], f"{where}.eip1559Params")
        if packed >= 1 << 64:
            raise ConfigError(f"{where}.eip1559Params: longer than 8 bytes")
        if packed:
            eip1559_denominator, eip1559_elasticity = packed >> 32, packed & 0xFFFFFFFF
    operator_fee_scalar = _opt_int(obj.get("operatorFeeScalar"), f"{where}.operatorFeeScalar", bits=32)
    operator_fee_constant = _opt_int(obj.get("operatorFeeConstant"), f"{where}.operatorFeeConstant")
    if obj.get("operatorFeeParams") is not None:
        packed = _word(obj["operatorFeeParams"], f"{where}.operatorFeeParams")
        if packed:
            operator_fee_scalar = (packed >> 64) & 0xFFFFFFFF
            operator_fee_constant = packed & UINT64_MAX
    min_base_fee = _opt_int(obj.get("minBaseFee"), f"{where}.minBaseFee")
    da_footprint = _opt_int(obj.get("daFootprintGasScalar"), f"{where}.daFootprintGasScalar", bits=16)
    signer = _first(obj, "unsafeBlockSigner", "unsafe_block_signer")
    return SystemConfig(
        batcher_address=_address(batcher, f"{where}.batcherAddr"),
        overhead=_word(obj.get("overhead", 0), f"{where}.overhead"),
        scalar=_word(obj.get("scalar", 0), f"{where}.scalar"),
        gas_limit=_int(obj.get("gasLimit", 0), f"{where}.gasLimit"),
        base_fee_scalar=_opt_int(obj.get("baseFeeScalar"), f"{where}.baseFeeScalar"),
        blob_base_fee_scalar=_opt_int(obj.get("blobBaseFeeScalar"), f"{where}.blobBaseFeeScalar"),
        eip1559_denominator=eip1559_denominator,
        eip1559_elasticity=eip1559_elasticity,
        operator_fee_scalar=operator_fee_scalar,
        operator_fee_constant=operator_fee_constant,
        min_base_fee=min_base_fee or None,
        da_footprint_gas_scalar=da_footprint or None,
        unsafe_block_signer=_opt_address(signer, f"{where}.unsafeBlockSigner"),
    )


def system_config_to_json(config: SystemConfig) -> dict[str, Any]:
    """op-node's ``eth.SystemConfig`` JSON (Holocene-and-later layout)."""
    eip1559 = ((config.eip1559_denominator or 0) << 32) | (config.eip1559_elasticity or 0)
    operator = ((config.operator_fee_scalar or 0) << 64) | (config.operator_fee_constant or 0)
    return {
        "batcherAddr": to_hex(config.batcher_address),
        "overhead": to_hex(config.overhead.to_bytes(32, "big")),
        "scalar": to_hex(config.scalar.to_bytes(32, "big")),
        "gasLimit": config.gas_limit,
        "eip1559Params": to_hex(eip1559.to_bytes(8, "big")),
        "operatorFeeParams": to_hex(operator.to_bytes(32, "big")),
        "minBaseFee": config.min_base_fee or 0,
        "daFootprintGasScalar": config.da_footprint_gas_scalar or 0,
    }


def genesis_from_json(data: Any, where: str = "genesis") -> ChainGenesis:
    obj = _obj(data, where)
    raw_sys = obj.get("system_config")
    return ChainGenesis(
        l1=block_id_from_json(_require(obj, "l1", where), f"{where}.l1"),
        l2=block_id_from_json(_require(obj, "l2", where), f"{where}.l2"),
        l2_time=_int(_require(obj, "l2_time", where), f"{where}.l2_time"),
        system_config=None if raw_sys is None else system_config_from_json(raw_sys, f"{where}.system_config"),
    )


def genesis_to_json(genesis: ChainGenesis) -> dict[str, Any]:
    out: dict[str, Any] = {
        "l1": {"hash": to_hex(genesis.l1.hash), "number": genesis.l1.number},
        "l2": {"hash": to_hex(genesis.l2.hash), "number": genesis.l2.number},
        "l2_time": genesis.l2_time,
    }
    if genesis.system_config is not None:
        out["system_config"] = system_config_to_json(genesis.system_config)
    return out


def chain_op_config_from_json(data: Any, where: str = "chain_op_config") -> ChainOpConfig:
    obj = _obj(data, where)

    def pick(*keys: str) -> int:
        value = _first(obj, *keys)
        if value is None:
            raise ConfigError(f"{where}: missing required field {keys[0]!r}")
        return _int(value, f"{where}.{keys[0]}")

    return ChainOpConfig(
        eip1559_elasticity=pick("eip1559Elasticity", "eip1559_elasticity"),
        eip1559_denominator=pick("eip1559Denominator", "eip1559_denominator"),
        eip1559_denominator_canyon=pick("eip1559DenominatorCanyon", "eip1559_denominator_canyon"),
    )


def chain_op_config_to_json(config: ChainOpConfig) -> dict[str, int]:
    return {
        "eip1559Elasticity": config.eip1559_elasticity,
        "eip1559Denominator": config.eip1559_denominator,
        "eip1559DenominatorCanyon": config.eip1559_denominator_canyon,
    }


def _base_fee_params(data: Any, where: str) -> tuple[int, int]:
    obj = _obj(data, where)
    return (
        _int(_require(obj, "max_change_denominator", where), f"{where}.max_change_denominator"),
        _int(_require(obj, "elasticity_multiplier", where), f"{where}.elasticity_multiplier"),
    )


def alt_da_from_json(data: Any, where: str = "alt_da") -> AltDAConfig:
    obj = _obj(data, where)
    kind = obj.get("da_commitment_type")
    if kind is not None and not isinstance(kind, str):
        raise ConfigError(f"{where}.da_commitment_type: expected a string")
    return AltDAConfig(
        da_challenge_address=_opt_address(
            _first(obj, "da_challenge_contract_address", "da_challenge_address"),
            f"{where}.da_challenge_contract_address",
        ),
        da_challenge_window=_opt_int(obj.get("da_challenge_window"), f"{where}.da_challenge_window"),
        da_resolve_window=_opt_int(obj.get("da_resolve_window"), f"{where}.da_resolve_window"),
        da_commitment_type=kind,
    )


def alt_da_to_json(config: AltDAConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if config.da_challenge_address is not None:
        out["da_challenge_contract_address"] = to_hex(config.da_challenge_address)
    out["da_commitment_type"] = config.da_commitment_type or ""
    out["da_challenge_window"] = config.da_challenge_window or 0
    out["da_resolve_window"] = config.da_resolve_window or 0
    return out


def _default_chain_op_config(l2_chain_id: int) -> ChainOpConfig:
    """op-node's fallback when rollup.json lacks ``chain_op_config``: the registry's value."""
    from mauna.genesis.registry import default_registry

    info = default_registry().by_chain_id(l2_chain_id)
    if info is not None:
        return info.rollup_config.chain_op_config
    return OP_MAINNET_CHAIN_OP_CONFIG


# --- whole config ---------------------------------------------------------------------------------
def detect_flavour(data: Mapping[str, Any]) -> Flavour:
    """``"kona"`` if ``data`` carries kona-only keys, else ``"op-node"``."""
    obj = _obj(data, "rollup config")
    if any(key in obj for key in _KONA_MARKERS):
        return "kona"
    genesis = obj.get("genesis")
    sys_cfg = genesis.get("system_config") if isinstance(genesis, Mapping) else None
    if isinstance(sys_cfg, Mapping):
        if any(key in sys_cfg for key in _OP_NODE_SYSCFG_MARKERS):
            return "op-node"
        if any(key in sys_cfg for key in _KONA_SYSCFG_MARKERS):
            return "kona"
    return "op-node"


def rollup_config_from_json(data: Mapping[str, Any], flavour: Flavour = "op-node") -> RollupConfig:
    """Parse a rollup config; ``flavour`` only names the format in error messages."""
    where = f"{flavour} rollup config"
    obj = _obj(data, where)

    l2_chain_id = _int(_require(obj, "l2_chain_id", where), "l2_chain_id", bits=256)

    if obj.get("chain_op_config") is not None:
        chain_op = chain_op_config_from_json(obj["chain_op_config"])
    elif obj.get("base_fee_params") is not None:
        denominator, elasticity = _base_fee_params(obj["base_fee_params"], "base_fee_params")
        canyon_denominator = denominator
        if obj.get("canyon_base_fee_params") is not None:
            canyon_denominator, canyon_elasticity = _base_fee_params(
                obj["canyon_base_fee_params"], "canyon_base_fee_params"
            )
            if canyon_elasticity != elasticity:
                raise ConfigError(
                    f"canyon_base_fee_params.elasticity_multiplier {canyon_elasticity} differs from "
                    f"base_fee_params.elasticity_multiplier {elasticity}; not representable"
                )
        chain_op = ChainOpConfig(elasticity, denominator, canyon_denominator)
    else:
        chain_op = _default_chain_op_config(l2_chain_id)

    alt_da: AltDAConfig | None = None
    raw_alt_da = _first(obj, "alt_da", "alt_da_config", "plasma_config")
    if raw_alt_da is not None:
        alt_da = alt_da_from_json(raw_alt_da)
    elif obj.get("use_plasma") or obj.get("use_alt_da"):
        alt_da = AltDAConfig(
            da_challenge_address=_opt_address(
                obj.get("da_challenge_contract_address"), "da_challenge_contract_address"
            ),
            da_challenge_window=_opt_int(obj.get("da_challenge_window"), "da_challenge_window"),
            da_resolve_window=_opt_int(obj.get("da_resolve_window"), "da_resolve_window"),
            da_commitment_type="KeccakCommitment",
        )
    da_challenge = _opt_address(
        _first(obj, "da_challenge_address", "da_challenge_contract_address"), "da_challenge_address"
    )
    if da_challenge is None and alt_da is not None:
        da_challenge = alt_da.da_challenge_address

    times = {
        name: _opt_int(obj.get(name), name) for name in (*HARDFORK_TIME_FIELDS, "pectra_blob_schedule_time")
    }
    protocol_versions = _opt_address(obj.get("protocol_versions_address"), "protocol_versions_address")
    return RollupConfig(
        genesis=genesis_from_json(_require(obj, "genesis", where)),
        block_time=_int(_require(obj, "block_time", where), "block_time"),
        max_sequencer_drift=_int(obj.get("max_sequencer_drift") or 0, "max_sequencer_drift"),
        seq_window_size=_int(_require(obj, "seq_window_size", where), "seq_window_size"),
        channel_timeout=_int(obj.get("channel_timeout", CHANNEL_TIMEOUT_BEDROCK), "channel_timeout"),
        granite_channel_timeout=_int(
            obj.get("granite_channel_timeout", GRANITE_CHANNEL_TIMEOUT), "granite_channel_timeout"
        ),
        l1_chain_id=_int(_require(obj, "l1_chain_id", where), "l1_chain_id", bits=256),
        l2_chain_id=l2_chain_id,
        batch_inbox_address=_address(_require(obj, "batch_inbox_address", where), "batch_inbox_address"),
        deposit_contract_address=_address(
            _require(obj, "deposit_contract_address", where), "deposit_contract_address"
        ),
        l1_system_config_address=_address(
            _require(obj, "l1_system_config_address", where), "l1_system_config_address"
        ),
        protocol_versions_address=protocol_versions or ADDRESS_ZERO,
        superchain_config_address=_opt_address(
            obj.get("superchain_config_address"), "superchain_config_address"
        ),
        da_challenge_address=da_challenge,
        alt_da=alt_da,
        chain_op_config=chain_op,
        interop_message_expiry_window=_int(
            obj.get("interop_message_expiry_window", DEFAULT_INTEROP_MESSAGE_EXPIRY_WINDOW),
            "interop_message_expiry_window",
        ),
        blobs_enabled_l1_timestamp=_opt_int(obj.get("blobs_data"), "blobs_data"),
        **times,
    )


def rollup_config_to_json(config: RollupConfig, *, include_extensions: bool = False) -> dict[str, Any]:
    """op-node's ``rollup.json`` object for ``config`` (key order as op-node writes it).

    op-node rejects unknown fields, so kona's extensions (``superchain_config_address``,
    ``granite_channel_timeout``, ``interop_message_expiry_window``, ``blobs_data``) are written only
    with ``include_extensions=True`` (and the last three only when they differ from the default).
    """
    out: dict[str, Any] = {
        "genesis": genesis_to_json(config.genesis),
        "block_time": config.block_time,
        "max_sequencer_drift": config.max_sequencer_drift,
        "seq_window_size": config.seq_window_size,
        "channel_timeout": config.channel_timeout,
        "l1_chain_id": config.l1_chain_id,
        "l2_chain_id": config.l2_chain_id,
    }
    for name in HARDFORK_TIME_FIELDS:
        value = getattr(config, name)
        if value is not None:
            out[name] = value
    out["batch_inbox_address"] = to_hex(config.batch_inbox_address)
    out["deposit_contract_address"] = to_hex(config.deposit_contract_address)
    out["l1_system_config_address"] = to_hex(config.l1_system_config_address)
    out["protocol_versions_address"] = to_hex(config.protocol_versions_address)
    if config.alt_da is not None:
        alt_da = config.alt_da
        if alt_da.da_challenge_address is None and config.da_challenge_address is not None:
            alt_da = AltDAConfig(
                config.da_challenge_address,
                alt_da.da_challenge_window,
                alt_da.da_resolve_window,
                alt_da.da_commitment_type,
            )
        out["alt_da"] = alt_da_to_json(alt_da)
    elif config.da_challenge_address is not None:
        out["da_challenge_contract_address"] = to_hex(config.da_challenge_address)
    out["chain_op_config"] = chain_op_config_to_json(config.chain_op_config)
    if config.pectra_blob_schedule_time is not None:
        out["pectra_blob_schedule_time"] = config.pectra_blob_schedule_time
    if include_extensions:
        if config.superchain_config_address is not None:
            out["superchain_config_address"] = to_hex(config.superchain_config_address)
        if config.granite_channel_timeout != GRANITE_CHANNEL_TIMEOUT:
            out["granite_channel_timeout"] = config.granite_channel_timeout
        if config.interop_message_expiry_window != DEFAULT_INTEROP_MESSAGE_EXPIRY_WINDOW:
            out["interop_message_expiry_window"] = config.interop_message_expiry_window
        if config.blobs_enabled_l1_timestamp is not None:
            out["blobs_data"] = config.blobs_enabled_l1_timestamp
    return out
