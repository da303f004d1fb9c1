"""The derivation pipeline: L2 payload attributes from L1 data (protocol/derivation.md).

The pipeline never does I/O: it reads L1, L2 and blobs through the provider protocols of
:mod:`mauna.derive.providers`; :mod:`mauna.derive.memory` implements them in memory and
:mod:`mauna.derive.testing` builds whole scenarios on top.
"""

from mauna.derive.attributes import OpPayloadAttributes, OpPayloadAttributesWithParent
from mauna.derive.attributes_builder import StatefulAttributesBuilder
from mauna.derive.batch_validity import BatchValidity, DropReason, Verdict
from mauna.derive.errors import (
    CriticalError,
    EndOfData,
    HoloceneActivationError,
    NotEnoughData,
    PipelineError,
    ProviderError,
    ReorgError,
    ResetError,
    TemporaryError,
)
from mauna.derive.pipeline import DerivationPipeline, PipelineBuilder
from mauna.derive.providers import BlobProvider, ChainProvider, IndexedBlobHash, L2Block, L2ChainProvider
from mauna.derive.signals import Signal, StageSignal, StepOutcome, StepResult

__all__ = [
    "BatchValidity",
    "BlobProvider",
    "ChainProvider",
    "CriticalError",
    "DerivationPipeline",
    "DropReason",
    "EndOfData",
    "HoloceneActivationError",
    "IndexedBlobHash",
    "L2Block",
    "L2ChainProvider",
    "NotEnoughData",
    "OpPayloadAttributes",
    "OpPayloadAttributesWithParent",
    "PipelineBuilder",
    "PipelineError",
    "ProviderError",
    "ReorgError",
    "ResetError",
    "Signal",
    "StageSignal",
    "StatefulAttributesBuilder",
    "StepOutcome",
    "StepResult",
    "TemporaryError",
    "Verdict",
]
