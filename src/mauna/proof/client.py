"""The program as a process: talks to its host over inherited descriptors 3-6 and exits 0/1.

Spec: fault-proof/index.md "Pre-image communication" and "Epilogue": descriptors 3/4 carry hints
(read acks / write hints), 5/6 the pre-image oracle (read responses / write requests), as a
fault-proof VM or a native host (``mauna host --native``, kona-host, op-program) arranges them.
Exit code 0: the claim is valid; 1: it is invalid; 2: the program failed (a missing or wrong
pre-image, malformed chain data, a bug), which fails the claim too (safety over liveness).

Run as ``python -m mauna.proof.client`` or ``mauna client``.
"""

from __future__ import annotations

import asyncio
import sys

import structlog

from mauna.errors import MaunaError
from mauna.preimage.channel import PipePair, standard_hint_pipe, standard_preimage_pipe
from mauna.preimage.hints import HintWriter
from mauna.preimage.oracle import CachingOracle, OracleClient
from mauna.proof.boot import LocalKeyLayout
from mauna.proof.driver import EXIT_FAILURE, run_program

log = structlog.get_logger(__name__)

ORACLE_CACHE_SIZE = 1 << 14


def run_client(
    hint_pipe: PipePair | None = None,
    preimage_pipe: PipePair | None = None,
    *,
    layout: LocalKeyLayout = "kona",
) -> int:
    """Run the program over the given channels (default: descriptors 3-6); returns the exit code."""
    hint_pipe = hint_pipe or standard_hint_pipe()
    preimage_pipe = preimage_pipe or standard_preimage_pipe()
    oracle = CachingOracle(
        OracleClient(preimage_pipe.reader, preimage_pipe.writer, verify=True), ORACLE_CACHE_SIZE
    )
    hinter = HintWriter(hint_pipe.reader, hint_pipe.writer)
    try:
        result = asyncio.run(run_program(oracle, hinter, layout=layout))
    except MaunaError as exc:
        log.error("program failed", error_type=type(exc).__name__, error=str(exc))
        return EXIT_FAILURE
    return result.exit_code


def configure_logging(level: str = "info") -> None:
    """Plain key-value logs on stderr (stdout stays free for the host's use)."""
    import logging

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def main() -> None:
    layout: LocalKeyLayout = "op-program" if "--op-program-keys" in sys.argv[1:] else "kona"
    configure_logging("debug" if "-v" in sys.argv[1:] else "info")
    sys.exit(run_client(layout=layout))


if __name__ == "__main__":
    main()
