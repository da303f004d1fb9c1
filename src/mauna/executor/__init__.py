"""Stateless OP Stack block execution (the role of kona-executor).

:class:`StatelessL2Builder` executes :class:`OpPayloadAttributes` on a parent header, reading
state through a :class:`mauna.mpt.TrieProvider`, and seals the block.
"""

from mauna.executor.attributes import OpPayloadAttributes, Withdrawal
from mauna.executor.builder import (
    BlockBuildResult,
    HeaderMismatchError,
    MessagePasserUnavailableError,
    StatelessL2Builder,
    check_header,
    header_differences,
)
from mauna.executor.transactions import InvalidTransactionError

__all__ = [
    "BlockBuildResult",
    "HeaderMismatchError",
    "InvalidTransactionError",
    "MessagePasserUnavailableError",
    "OpPayloadAttributes",
    "StatelessL2Builder",
    "Withdrawal",
    "check_header",
    "header_differences",
]
