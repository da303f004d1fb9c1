"""OP Stack transaction fee components: L1 data cost, operator fee and DA footprint.

Pure integer functions of a transaction's full EIP-2718 encoding (signature included) and the
fee parameters of the block's L1-info deposit (or, equivalently, of the L1Block predeploy):

- L1 cost before Ecotone: protocol/exec-engine.md, "L1-Cost fees (L1 Fee Vault)", "Pre-Ecotone".
- L1 cost from Ecotone: protocol/exec-engine.md, "Ecotone L1-Cost fee changes (EIP-4844 DA)".
- L1 cost from Fjord: protocol/fjord/exec-engine.md, "Fjord L1-Cost fee changes (FastLZ estimator)".
- Operator fee: protocol/isthmus/exec-engine.md, "Operator Fee"; the Jovian formula:
  protocol/jovian/exec-engine.md, "Operator Fee" / "Fee Formula Update".
- DA footprint: protocol/jovian/exec-engine.md, "DA Footprint Block Limit".

Every computation is unbounded-precision; results are in wei (fees) or gas units (footprints).
Deposit transactions (type ``0x7E``) are never charged: :func:`l1_cost` and :func:`block_da_footprint`
return/skip them; the lower-level functions assume a non-deposit transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mauna.errors import ProtocolError
from mauna.protocol.fastlz import flz_compress_len

DEPOSIT_TX_TYPE = 0x7E

# EIP-2028 calldata byte prices.
TX_DATA_ZERO_GAS = 4
TX_DATA_NON_ZERO_GAS = 16
# Pre-Regolith: 68 extra non-zero bytes were charged (a remnant of pre-Bedrock accounting).
BEDROCK_EXTRA_NON_ZERO_BYTES = 68

ECOTONE_DIVISOR = 16 * 1_000_000

# Fjord linear-regression constants (protocol/fjord/exec-engine.md, table of inputs).
L1_COST_INTERCEPT = -42_585_600
L1_COST_FASTLZ_COEF = 836_500
MIN_TRANSACTION_SIZE = 100
MIN_TRANSACTION_SIZE_SCALED = MIN_TRANSACTION_SIZE * 1_000_000
FJORD_DIVISOR = 1_000_000_000_000

# Isthmus operator-fee scalar is scaled by 1e6; Jovian multiplies it by 100 instead.
OPERATOR_FEE_SCALAR_DIVISOR = 1_000_000
JOVIAN_OPERATOR_FEE_MULTIPLIER = 100

# Jovian: value used by the L1Block contract when the SystemConfig's scalar is 0
# (protocol/jovian/l1-attributes.md).
DEFAULT_DA_FOOTPRINT_GAS_SCALAR = 400

_U32_MAX = (1 << 32) - 1
_U64_MAX = (1 << 64) - 1
_U16_MAX = (1 << 16) - 1


class FeeParamsError(ProtocolError):
    """A fee parameter is out of the range its spec type allows."""


def _check_range(name: str, value: int, maximum: int) -> None:
    if not 0 <= value <= maximum:
        raise FeeParamsError(f"fee parameter {name}={value} is outside [0, {maximum}]")


def zeros_and_ones(tx_data: bytes) -> tuple[int, int]:
    """Count of zero bytes and of non-zero bytes of ``tx_data``."""
    zeros = bytes(tx_data).count(0)
    return zeros, len(tx_data) - zeros


# --- Bedrock / Regolith ---------------------------------------------------------------------------


def rollup_data_gas_bedrock(tx_data: bytes, regolith: bool) -> int:
    """``rollupDataGas``: ``zeroes*4 + ones*16``, plus ``68*16`` before Regolith."""
    zeros, ones = zeros_and_ones(tx_data)
    if not regolith:
        ones += BEDROCK_EXTRA_NON_ZERO_BYTES
    return zeros * TX_DATA_ZERO_GAS + ones * TX_DATA_NON_ZERO_GAS


def l1_cost_bedrock(tx_data: bytes, l1_base_fee: int, overhead: int, scalar: int, regolith: bool) -> int:
    """Pre-Ecotone L1 cost: ``(rollupDataGas + l1FeeOverhead) * l1BaseFee * l1FeeScalar / 1e6``."""
    gas = rollup_data_gas_bedrock(tx_data, regolith) + overhead
    return gas * l1_base_fee * scalar // 1_000_000


# --- Ecotone --------------------------------------------------------------------------------------


def l1_cost_ecotone(
    tx_data: bytes,
    l1_base_fee: int,
    blob_base_fee: int,
    base_fee_scalar: int,
    blob_base_fee_scalar: int,
) -> int:
    """Ecotone L1 cost.

    ``(zeroes*4 + ones*16) * (16*l1BaseFee*l1BaseFeeScalar + l1BlobBaseFee*l1BlobBaseFeeScalar) / 16e6``.
    """
    calldata_gas = rollup_data_gas_bedrock(tx_data, regolith=True)
    fee_per_byte = 16 * l1_base_fee * base_fee_scalar + blob_base_fee * blob_base_fee_scalar
    return calldata_gas * fee_per_byte // ECOTONE_DIVISOR


# --- Fjord ----------------------------------------------------------------------------------------


def fjord_estimated_size_scaled(fastlz_size: int) -> int:
    """``estimatedSizeScaled = max(minTransactionSize * 1e6, intercept + fastlzCoef*fastlzSize)``."""
    return max(MIN_TRANSACTION_SIZE_SCALED, L1_COST_INTERCEPT + L1_COST_FASTLZ_COEF * fastlz_size)


def l1_cost_fjord_from_size(
    fastlz_size: int,
    l1_base_fee: int,
    blob_base_fee: int,
    base_fee_scalar: int,
    blob_base_fee_scalar: int,
) -> int:
    """Fjord L1 cost from an already measured FastLZ size (see :func:`l1_cost_fjord`)."""
    l1_fee_scaled = base_fee_scalar * l1_base_fee * 16 + blob_base_fee_scalar * blob_base_fee
    return fjord_estimated_size_scaled(fastlz_size) * l1_fee_scaled // FJORD_DIVISOR


def l1_cost_fjord(
    tx_data: bytes,
    l1_base_fee: int,
    blob_base_fee: int,
    base_fee_scalar: int,
    blob_base_fee_scalar: int,
) -> int:
    """Fjord L1 cost.

    ``l1FeeScaled = l1BaseFeeScalar*l1BaseFee*16 + l1BlobFeeScalar*l1BlobBaseFee``;
    ``estimatedSizeScaled = max(minTransactionSize*1e6, intercept + fastlzCoef*fastlzSize)``;
    ``l1Fee = estimatedSizeScaled * l1FeeScaled / 1e12``.
    """
    return l1_cost_fjord_from_size(
        flz_compress_len(tx_data), l1_base_fee, blob_base_fee, base_fee_scalar, blob_base_fee_scalar
    )


def l1_gas_used_fjord(tx_data: bytes) -> int:
    """The deprecated receipt ``l1GasUsed`` from Fjord: ``estimatedSizeScaled * 16 / 1e6``.

    protocol/fjord/exec-engine.md, "L1 Gas Usage Estimation" (kept for receipts only).
    """
    return fjord_estimated_size_scaled(flz_compress_len(tx_data)) * TX_DATA_NON_ZERO_GAS // 1_000_000


# --- Operator fee (Isthmus, Jovian) ---------------------------------------------------------------------


def operator_fee(gas: int, operator_fee_scalar: int, operator_fee_constant: int, *, jovian: bool) -> int:
    """Operator fee for ``gas`` units of gas.

    Isthmus: ``gas * operatorFeeScalar / 1e6 + operatorFeeConstant``.
    Jovian: ``gas * operatorFeeScalar * 100 + operatorFeeConstant``.

    ``gas`` is the gas limit when buying gas, the gas used when settling; deposits pay nothing
    (the caller does not call this for them). ``operatorFeeScalar`` is a ``uint32`` and
    ``operatorFeeConstant`` a ``uint64``; values outside raise :class:`FeeParamsError`.
    """
    _check_range("gas", gas, _U64_MAX)
    _check_range("operator_fee_scalar", operator_fee_scalar, _U32_MAX)
    _check_range("operator_fee_constant", operator_fee_constant, _U64_MAX)
    if jovian:
        return gas * operator_fee_scalar * JOVIAN_OPERATOR_FEE_MULTIPLIER + operator_fee_constant
    return gas * operator_fee_scalar // OPERATOR_FEE_SCALAR_DIVISOR + operator_fee_constant


def operator_fee_refund(
    gas_limit: int, gas_used: int, operator_fee_scalar: int, operator_fee_constant: int, *, jovian: bool
) -> int:
    """``opFeeRefund = opFeeWorstCase - opFeeActual`` (protocol/isthmus/exec-engine.md, "EVM Fee Semantics").

    ``opFeeWorstCase`` is the fee for ``gas_limit``; ``opFeeActual`` the fee for ``gas_used``
    (gas used after the EIP-3529 refund). Both include the constant, so it cancels; the floor
    division of the Isthmus formula is applied to each term separately, as the spec prescribes.
    """
    if gas_used > gas_limit:
        raise FeeParamsError(f"gas_used={gas_used} exceeds gas_limit={gas_limit}")
    worst = operator_fee(gas_limit, operator_fee_scalar, operator_fee_constant, jovian=jovian)
    actual = operator_fee(gas_used, operator_fee_scalar, operator_fee_constant, jovian=jovian)
    return worst - actual


# --- Jovian DA footprint --------------------------------------------------------------------------


def da_usage_estimate(tx_data: bytes) -> int:
    """``max(minTransactionSize, (intercept + fastlzCoef * fastlzSize) // 1e6)`` in bytes."""
    scaled = L1_COST_INTERCEPT + L1_COST_FASTLZ_COEF * flz_compress_len(tx_data)
    return max(MIN_TRANSACTION_SIZE, scaled // 1_000_000)


def da_footprint(tx_data: bytes, da_footprint_gas_scalar: int) -> int:
    """DA footprint of one non-deposit transaction: ``daUsageEstimate * daFootprintGasScalar``."""
    _check_range("da_footprint_gas_scalar", da_footprint_gas_scalar, _U16_MAX)
    return da_usage_estimate(tx_data) * da_footprint_gas_scalar


def block_da_footprint(transactions: Iterable[bytes], da_footprint_gas_scalar: int) -> int:
    """A block's ``daFootprint`` (its Jovian ``blobGasUsed``): the sum over non-deposit transactions.

    ``transactions`` are EIP-2718 encodings; those whose type byte is ``0x7E`` are skipped.
    """
    total = 0
    for raw in transactions:
        if raw and raw[0] == DEPOSIT_TX_TYPE:
            continue
        total += da_footprint(raw, da_footprint_gas_scalar)
    return total


# --- Dispatcher -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class L1CostParams:
    """The L1-fee parameters in effect for a block, as stored in the L1Block predeploy.

    ``overhead`` and ``scalar`` are the pre-Ecotone parameters; ``base_fee_scalar``,
    ``blob_base_fee_scalar`` and ``blob_base_fee`` the Ecotone ones (zero before Ecotone is
    configured on chain); ``operator_fee_*`` the Isthmus ones.
    """

    l1_base_fee: int
    overhead: int = 0
    scalar: int = 0
    blob_base_fee: int = 0
    base_fee_scalar: int = 0
    blob_base_fee_scalar: int = 0
    operator_fee_scalar: int = 0
    operator_fee_constant: int = 0

    @property
    def ecotone_scalars_empty(self) -> bool:
        """True while the Ecotone parameters are all zero: the state of the Ecotone activation
        block, whose L1-info deposit still uses the Bedrock ``setL1BlockValues``."""
        return self.blob_base_fee == 0 and self.base_fee_scalar == 0 and self.blob_base_fee_scalar == 0


def l1_cost(params: L1CostParams, tx_data: bytes, *, regolith: bool, ecotone: bool, fjord: bool) -> int:
    """L1 data cost of a transaction under the active upgrades.

    Returns 0 for empty input and for deposits (type ``0x7E``). With Ecotone active but the
    Ecotone parameters still unset (:attr:`L1CostParams.ecotone_scalars_empty`, the Ecotone
    activation block), the Bedrock function is used, as op-geth does; this check precedes Fjord
    because the first Ecotone and first Fjord block may coincide.
    """
    if not tx_data or tx_data[0] == DEPOSIT_TX_TYPE:
        return 0
    if not ecotone or params.ecotone_scalars_empty:
        return l1_cost_bedrock(tx_data, params.l1_base_fee, params.overhead, params.scalar, regolith)
    if fjord:
        return l1_cost_fjord(
            tx_data,
            params.l1_base_fee,
            params.blob_base_fee,
            params.base_fee_scalar,
            params.blob_base_fee_scalar,
        )
    return l1_cost_ecotone(
        tx_data, params.l1_base_fee, params.blob_base_fee, params.base_fee_scalar, params.blob_base_fee_scalar
    )
