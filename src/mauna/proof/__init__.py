"""The fault-proof program (client) and its host.

Spec: fault-proof/index.md. The client (:mod:`mauna.proof.driver`, :mod:`mauna.proof.client`)
verifies a claimed L2 output root by deriving the L2 chain from L1 and executing it statelessly,
with every input read through the pre-image oracle; the host (:mod:`mauna.proof.host`) answers
its hints and pre-image requests from live nodes or a data directory.
"""

from mauna.proof.boot import BootInfo
from mauna.proof.driver import (
    EXIT_FAILURE,
    EXIT_INVALID,
    EXIT_VALID,
    ProgramResult,
    Verdict,
    fetch_agreed_output,
    run_program,
)
from mauna.proof.errors import BootInfoError, DriverError, HostError, OracleProviderError, TrieWalkError
from mauna.proof.executor import NodeKeepingBuilder
from mauna.proof.l1 import OracleBlobProvider, OracleL1ChainProvider
from mauna.proof.l2 import OracleL2ChainProvider
from mauna.proof.trie_walk import ordered_list_nodes, walk_ordered_list

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INVALID",
    "EXIT_VALID",
    "BootInfo",
    "BootInfoError",
    "DriverError",
    "HostError",
    "NodeKeepingBuilder",
    "OracleBlobProvider",
    "OracleL1ChainProvider",
    "OracleL2ChainProvider",
    "OracleProviderError",
    "ProgramResult",
    "TrieWalkError",
    "Verdict",
    "fetch_agreed_output",
    "ordered_list_nodes",
    "run_program",
    "walk_ordered_list",
]
