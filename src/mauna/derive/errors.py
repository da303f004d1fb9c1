"""Derivation pipeline errors: temporary, reset and critical.

Spec: protocol/derivation.md "Resetting the Pipeline". Every stage reports trouble with one of three
kinds of :class:`PipelineError`, as op-node and kona do:

- :class:`TemporaryError`: not enough data yet, or a provider could not answer right now; the caller
  steps again (or advances the L1 origin on :class:`EndOfData`).
- :class:`ResetError`: the pipeline state no longer matches L1 / L2 (an L1 reorg, a batch whose
  parent does not match, the Holocene activation); the caller resets the pipeline.
- :class:`CriticalError`: the inputs are inconsistent in a way no reset can fix; derivation stops.
"""

from __future__ import annotations

from mauna.errors import DeriveError


class PipelineError(DeriveError):
    """Base of every error a derivation stage or provider raises."""


# --- temporary --------------------------------------------------------------------------------
class TemporaryError(PipelineError):
    """Retry later: more data or a later step may resolve it."""


class EndOfData(TemporaryError):
    """The stage has consumed everything its current L1 origin provides (op-node's ``io.EOF``)."""

    def __init__(self, message: str = "end of data at the current L1 origin") -> None:
        super().__init__(message)


class NotEnoughData(TemporaryError):
    """The stage made progress but has nothing to hand out yet; step again."""

    def __init__(self, message: str = "not enough data yet") -> None:
        super().__init__(message)


class ProviderError(TemporaryError):
    """A provider could not serve a request (missing block, receipts, blobs, network)."""


# --- reset ------------------------------------------------------------------------------------
class ResetError(PipelineError):
    """The pipeline must be reset before deriving further."""


class ReorgError(ResetError):
    """L1 reorg detected: the next L1 block's parent hash differs from the current origin's hash."""


class HoloceneActivationError(ResetError):
    """The L1 origin crossed the Holocene activation; the stages are swapped by an activation signal."""

    def __init__(self) -> None:
        super().__init__("Holocene activation: L1 origin crossed the activation timestamp")


# --- critical ---------------------------------------------------------------------------------
class CriticalError(PipelineError):
    """Derivation cannot continue."""
