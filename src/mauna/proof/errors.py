"""Errors of the fault-proof program; every one is a :class:`~mauna.errors.ProofError`."""

from __future__ import annotations

from mauna.errors import ProofError


class BootInfoError(ProofError):
    """A boot input (local key) is missing or malformed, or the chain's config cannot be found."""


class OracleProviderError(ProofError):
    """Chain data read through the pre-image oracle is malformed or inconsistent with its commitment
    (a header that does not decode, a trie that does not walk, a block number past the head)."""


class TrieWalkError(OracleProviderError):
    """An ordered-list trie (transactions, receipts) cannot be walked from its root."""


class DriverError(ProofError):
    """Derivation or execution failed in a way that is not a verdict on the claim."""


class HostError(ProofError):
    """The host cannot answer a hint or serve the oracle (bad configuration, failed fetch)."""
