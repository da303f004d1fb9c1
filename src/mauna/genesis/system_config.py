"""The L2 system configuration tracked from L1 (protocol/system-config.md).

Every field that a ConfigUpdate log or the genesis can set. Post-Ecotone, ``scalar`` is the
versioned encoding of ``base_fee_scalar`` / ``blob_base_fee_scalar`` (see "Post-Ecotone Scalar
Encoding"); both views are kept so that L1-info transactions of any fork can be built from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mauna.primitives.bytes import ADDRESS_ZERO


@dataclass(frozen=True, slots=True)
class SystemConfig:
    """System configuration as of some L1 block.

    ``batcher_address`` is the V0 batcher hash's address. ``overhead`` and ``scalar`` are the raw
    32-byte-word values of the fee-scalars update (type 1). ``eip1559_denominator`` /
    ``eip1559_elasticity`` are the Holocene parameters (0 = use the chain's defaults).
    """

    batcher_address: bytes = ADDRESS_ZERO
    overhead: int = 0
    scalar: int = 0
    gas_limit: int = 0
    base_fee_scalar: int | None = None
    blob_base_fee_scalar: int | None = None
    eip1559_denominator: int | None = None
    eip1559_elasticity: int | None = None
    operator_fee_scalar: int | None = None
    operator_fee_constant: int | None = None
    min_base_fee: int | None = None
    da_footprint_gas_scalar: int | None = None
    unsafe_block_signer: bytes | None = None

    @property
    def batcher_hash(self) -> bytes:
        """V0 batcher hash: version byte 0, 11 zero bytes, then the 20-byte address."""
        return b"\x00" * 12 + self.batcher_address
