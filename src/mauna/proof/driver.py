"""The fault-proof program: prologue, derivation and execution, epilogue.

Spec: fault-proof/index.md "Fault Proof Program":

- Prologue: load the boot inputs (:class:`~mauna.proof.boot.BootInfo`); fetch the agreed output
  root's pre-image (``starting-l2-output`` hint, the 128-byte
  :class:`~mauna.protocol.output_root.OutputRootV0`), whose last word is the agreed L2 head hash;
  read that header.
- Main content: reset the derivation pipeline on the agreed head (its L1 origin walked back by
  the channel timeout, protocol/derivation.md "Finding the sync starting point"), then derive
  payload attributes and execute them block by block until the claimed block number is reached
  or L1 data runs out (``EOF``: the chain will not change further).
- Epilogue: compute the output root of the resulting safe head
  (protocol/proposals.md "L2 Output Commitment Construction") and compare it with the claim:
  exit 0 when equal, 1 otherwise.

Trace extension follows kona (and the dispute game's use of the program): a claimed block number
below the agreed head's is invalid; a claim equal to the agreed output root is valid without
derivation; when L1 data ends before the claimed block, the claim is compared with the output root
of the last block L1 allows (the safe head at ``EOF``), since nothing later can change it.
Executing a Holocene payload that fails falls back to its deposits only, and the pipeline's
current channel is flushed (protocol/holocene/derivation.md "Engine Queue"). The expensive
precompiles are left to the host (:mod:`mauna.proof.precompiles`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

import structlog

from mauna.derive.pipeline import DerivationPipeline, PipelineBuilder
from mauna.derive.signals import Signal
from mauna.errors import ExecutionError, MissingPreimageError, ProtocolError
from mauna.executor.attributes import OpPayloadAttributes
from mauna.executor.builder import deposit_only
from mauna.preimage.hints import Hinter, HintType
from mauna.preimage.keys import keccak256_key
from mauna.preimage.oracle import PreimageOracle
from mauna.primitives.block import L2BlockInfo
from mauna.proof.boot import BootInfo, LocalKeyLayout
from mauna.proof.errors import DriverError, OracleProviderError
from mauna.proof.executor import NodeKeepingBuilder
from mauna.proof.l1 import OracleBlobProvider, OracleL1ChainProvider
from mauna.proof.l2 import OracleL2ChainProvider
from mauna.proof.precompiles import OraclePrecompiles
from mauna.protocol.output_root import OutputRootError, OutputRootV0

log = structlog.get_logger(__name__)

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_FAILURE = 2


class Verdict(Enum):
    VALID = "valid"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class ProgramResult:
    """The outcome of one run: the verdict and what it was based on."""

    verdict: Verdict
    reason: str
    safe_head_number: int
    output_root: bytes
    claimed_output_root: bytes
    blocks_executed: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return EXIT_VALID if self.verdict is Verdict.VALID else EXIT_INVALID


def fetch_agreed_output(oracle: PreimageOracle, hinter: Hinter, output_root: bytes) -> OutputRootV0:
    """The agreed output root's pre-image (``starting-l2-output`` hint, keccak-256 key)."""
    hinter.hint(HintType.STARTING_L2_OUTPUT, output_root)
    raw = oracle.get(keccak256_key(output_root))
    try:
        return OutputRootV0.decode(raw)
    except OutputRootError as exc:
        raise OracleProviderError(f"agreed output root 0x{output_root.hex()}: {exc}") from exc


async def run_program(
    oracle: PreimageOracle,
    hinter: Hinter,
    *,
    layout: LocalKeyLayout = "kona",
    boot: BootInfo | None = None,
) -> ProgramResult:
    """Run the program against ``oracle`` / ``hinter``; raises on failures that are not verdicts."""
    started = time.perf_counter()
    boot = boot or BootInfo.load(oracle, layout=layout)
    cfg = boot.rollup_config
    agreed = fetch_agreed_output(oracle, hinter, boot.agreed_l2_output_root)
    l1 = OracleL1ChainProvider(boot.l1_head, oracle, hinter)
    l2 = OracleL2ChainProvider(agreed.block_hash, cfg, oracle, hinter)
    blobs = OracleBlobProvider(oracle, hinter)
    safe_header = l2.header(agreed.block_hash)

    def result(verdict: Verdict, reason: str, number: int, output: bytes, executed: int) -> ProgramResult:
        out = ProgramResult(
            verdict,
            reason,
            number,
            output,
            boot.claimed_l2_output_root,
            executed,
            time.perf_counter() - started,
        )
        log_fn = log.info if verdict is Verdict.VALID else log.error
        log_fn(
            "claim " + verdict.value,
            reason=reason,
            safe_head=number,
            output_root="0x" + output.hex(),
            claim="0x" + boot.claimed_l2_output_root.hex(),
            blocks=executed,
        )
        return out

    if boot.claimed_l2_block_number < safe_header.number:
        return result(
            Verdict.INVALID,
            f"claimed block #{boot.claimed_l2_block_number} is below the agreed head #{safe_header.number}",
            safe_header.number,
            boot.agreed_l2_output_root,
            0,
        )
    if boot.agreed_l2_output_root == boot.claimed_l2_output_root:
        return result(
            Verdict.VALID,
            "trace extension: the claim is the agreed output root",
            safe_header.number,
            boot.agreed_l2_output_root,
            0,
        )

    pipeline = PipelineBuilder(cfg).chain_provider(l1).l2_chain_provider(l2).blob_provider(blobs).build()
    cursor = await l2.l2_block_info_by_number(safe_header.number)
    origin = await pipeline.reset_origin(cursor)
    await pipeline.signal(Signal.RESET, cursor, origin)
    output_root = boot.agreed_l2_output_root
    executed = 0
    while cursor.number < boot.claimed_l2_block_number:
        derived = await pipeline.run_until_attributes(cursor)
        if derived is None:
            log.info("L1 data exhausted", safe_head=cursor.number, l1_origin=pipeline.origin)
            break
        cursor, output_root = await _execute(pipeline, l2, cursor, derived.attributes)
        executed += 1

    reached = cursor.number
    if output_root == boot.claimed_l2_output_root:
        return result(
            Verdict.VALID, f"output root of block #{reached} matches", reached, output_root, executed
        )
    return result(
        Verdict.INVALID,
        f"output root of block #{reached} differs from the claim",
        reached,
        output_root,
        executed,
    )


async def _execute(
    pipeline: DerivationPipeline,
    l2: OracleL2ChainProvider,
    parent: L2BlockInfo,
    attributes: OpPayloadAttributes,
) -> tuple[L2BlockInfo, bytes]:
    cfg = l2.rollup_config
    parent_header = l2.header(parent.hash)
    precompiles = OraclePrecompiles(l2.oracle, l2.hinter)
    builder = NodeKeepingBuilder(cfg, l2, l2, parent_header, precompiles=precompiles)
    try:
        built, nodes = builder.build(attributes)
    except (ExecutionError, ProtocolError) as exc:
        if isinstance(exc, MissingPreimageError) or not cfg.is_holocene_active(attributes.timestamp):
            raise DriverError(f"block #{parent.number + 1}: {exc}") from exc
        log.warning("payload failed, retrying with deposits only", block=parent.number + 1, error=str(exc))
        attributes = deposit_only(attributes)
        builder = NodeKeepingBuilder(cfg, l2, l2, parent_header, precompiles=precompiles)
        built, nodes = builder.build(attributes)
        await pipeline.signal(Signal.FLUSH_CHANNEL)
    output_root = built.output_root
    if output_root is None:
        raise DriverError(f"block #{parent.number + 1}: the L2ToL1MessagePasser storage root is unknown")
    info = l2.add_block(built.header, attributes.transactions, nodes)
    log.info(
        "block executed",
        number=info.number,
        hash="0x" + info.hash.hex(),
        txs=len(attributes.transactions),
        gas=built.header.gas_used,
        seconds=round(built.seconds, 3),
    )
    return info, output_root
