"""Payload attributes as the pipeline hands them out: the attributes, their parent and origin.

Spec: protocol/derivation.md "Building Individual Payload Attributes".
"""

from __future__ import annotations

from dataclasses import dataclass

from mauna.executor.attributes import OpPayloadAttributes
from mauna.primitives.block import BlockInfo, L2BlockInfo

SEQUENCER_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000011")
"""``suggestedFeeRecipient`` of every derived block (protocol/exec-engine.md "Fee Vaults")."""


@dataclass(frozen=True, slots=True)
class OpPayloadAttributesWithParent:
    """Attributes for the L2 block after ``parent``, derived from L1 data up to ``derived_from``."""

    attributes: OpPayloadAttributes
    parent: L2BlockInfo
    derived_from: BlockInfo | None
    is_last_in_span: bool


__all__ = ["SEQUENCER_FEE_VAULT", "OpPayloadAttributes", "OpPayloadAttributesWithParent"]
