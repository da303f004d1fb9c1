"""Block headers read through the pre-image oracle by hash (L1 and L2 alike).

A header's pre-image key is the keccak-256 of its RLP encoding, i.e. the block hash, so decoding it
and checking that it hashes back to the requested hash authenticates it.
"""

from __future__ import annotations

from mauna.errors import DecodeError
from mauna.preimage.keys import keccak256_key
from mauna.preimage.oracle import PreimageOracle
from mauna.primitives.header import Header
from mauna.proof.errors import OracleProviderError


def read_header(oracle: PreimageOracle, block_hash: bytes, chain: str) -> Header:
    """The header whose hash is ``block_hash``; ``chain`` ("L1", "L2") names it in errors."""
    raw = oracle.get(keccak256_key(block_hash))
    try:
        header = Header.decode(raw)
    except DecodeError as exc:
        raise OracleProviderError(f"{chain} header 0x{block_hash.hex()}: {exc}") from exc
    if header.hash() != block_hash:
        raise OracleProviderError(f"{chain} header 0x{block_hash.hex()} hashes to 0x{header.hash().hex()}")
    return header
