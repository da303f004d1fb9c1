"""L2 output root, version 0.

Spec: protocol/proposals.md, "L2 Output Commitment Construction":
``output_root = keccak256(version_byte || payload)`` with ``version_byte = bytes32(0)`` and
``payload = state_root || withdrawal_storage_root || latest_block_hash``. The withdrawal storage
root is the storage root of the L2ToL1MessagePasser predeploy.
"""

from __future__ import annotations

from dataclasses import dataclass

from mauna.errors import ProtocolError
from mauna.primitives.bytes import keccak256

OUTPUT_VERSION_V0 = b"\x00" * 32
OUTPUT_ROOT_V0_LENGTH = 128


class OutputRootError(ProtocolError):
    """An output-root preimage is malformed or of an unknown version."""


@dataclass(frozen=True, slots=True)
class OutputRootV0:
    """The version-0 output-root preimage: three 32-byte roots."""

    state_root: bytes
    message_passer_storage_root: bytes
    block_hash: bytes

    def __post_init__(self) -> None:
        for name in ("state_root", "message_passer_storage_root", "block_hash"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != 32:
                got = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
                raise OutputRootError(f"output root v0: {name} must be 32 bytes, got {got}")

    def encode(self) -> bytes:
        """``version (32 zero bytes) ‖ state_root ‖ message_passer_storage_root ‖ block_hash``."""
        return OUTPUT_VERSION_V0 + self.state_root + self.message_passer_storage_root + self.block_hash

    def hash(self) -> bytes:
        """The output root: ``keccak256(encode())``."""
        return keccak256(self.encode())

    @classmethod
    def decode(cls, data: bytes) -> OutputRootV0:
        """Parse a 128-byte version-0 preimage."""
        if len(data) != OUTPUT_ROOT_V0_LENGTH:
            raise OutputRootError(
                f"output root v0: preimage has {len(data)} bytes, expected {OUTPUT_ROOT_V0_LENGTH}"
            )
        version = bytes(data[:32])
        if version != OUTPUT_VERSION_V0:
            raise OutputRootError(f"output root: unsupported version 0x{version.hex()}")
        return cls(bytes(data[32:64]), bytes(data[64:96]), bytes(data[96:128]))
