"""Error hierarchy: one base per layer, every error names what failed and where.

No decoder lets any exception escape other than a subclass of :class:`MaunaError`.
"""

from __future__ import annotations


class MaunaError(Exception):
    """Base of every error mauna raises on purpose."""


# --- primitives -------------------------------------------------------------------------------
class DecodeError(MaunaError):
    """Malformed bytes in a low-level codec (hex, RLP, header)."""


# --- genesis ----------------------------------------------------------------------------------
class ConfigError(MaunaError):
    """A chain configuration that is missing, unknown or malformed."""


# --- protocol ---------------------------------------------------------------------------------
class ProtocolError(MaunaError):
    """Malformed or invalid OP Stack wire data."""


class FrameError(ProtocolError):
    """A frame (or the batcher transaction carrying frames) is malformed."""


class ChannelError(ProtocolError):
    """A channel cannot be assembled or read."""


class CompressionError(ProtocolError):
    """Channel data cannot be decompressed, or exceeds the RLP-bytes limit."""


class BatchError(ProtocolError):
    """A singular or span batch is malformed."""


class BlobError(ProtocolError):
    """A blob is not a valid OP-encoded blob."""


class DepositError(ProtocolError):
    """A deposit log or deposit transaction is malformed."""


class L1InfoError(ProtocolError):
    """L1-info deposit calldata is malformed."""


class SystemConfigError(ProtocolError):
    """A SystemConfig ConfigUpdate log is malformed."""


class TransactionError(ProtocolError):
    """An L2 transaction envelope is malformed."""


# --- execution --------------------------------------------------------------------------------
class ExecutionError(MaunaError):
    """A block could not be executed statelessly."""


class MissingPreimageError(ExecutionError):
    """A trie node, bytecode or header needed by execution was not available."""


class TrieError(MaunaError):
    """A Merkle-Patricia trie is malformed or a node is missing."""


# --- derivation -------------------------------------------------------------------------------
class DeriveError(MaunaError):
    """Derivation pipeline error."""


# --- fault proof ------------------------------------------------------------------------------
class PreimageError(MaunaError):
    """Preimage oracle / hint wire error."""


class ProofError(MaunaError):
    """Fault-proof client or host error."""
