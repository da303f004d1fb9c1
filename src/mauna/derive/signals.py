"""Signals sent down the pipeline stages, and the result of one pipeline step.

Spec: protocol/derivation.md "Resetting derivation stages"; protocol/holocene/derivation.md
"Activation" (the stages are swapped when the L1 origin reaches Holocene) and "Fast Channel
Invalidation" / "Engine Queue" (the current channel is flushed when a payload is replaced by a
deposit-only one).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mauna.derive.errors import PipelineError
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo


class Signal(Enum):
    """What a signal asks of the stages."""

    RESET = "reset"
    """Drop all state and restart at ``l1_origin`` with the L2 safe head ``l2_safe_head``."""
    ACTIVATION = "activation"
    """A fork activation (Holocene): drop buffered frames, channels and batches, keep the origins."""
    FLUSH_CHANNEL = "flush_channel"
    """Drop the channel (and span batch) currently being read (Holocene deposit-only replacement)."""


@dataclass(frozen=True, slots=True)
class StageSignal:
    """A signal with the data the stages need to act on it."""

    kind: Signal
    l2_safe_head: L2BlockInfo | None = None
    l1_origin: BlockInfo | None = None
    system_config: SystemConfig | None = None


class StepOutcome(Enum):
    """What one :meth:`DerivationPipeline.step` achieved."""

    PREPARED_ATTRIBUTES = "prepared_attributes"
    ADVANCED_ORIGIN = "advanced_origin"
    ORIGIN_ADVANCE_ERROR = "origin_advance_error"
    STEP_FAILED = "step_failed"


@dataclass(frozen=True, slots=True)
class StepResult:
    """The outcome of a step and, for the failures, the error."""

    outcome: StepOutcome
    error: PipelineError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
