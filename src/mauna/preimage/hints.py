"""Pre-image hints: the client tells the host which pre-images it is about to request.

Spec: fault-proof "Hinting" and "Pre-image hinting routes". Over a blocking two-way stream::

    <request>  := <length prefix> <hint bytes>     # length prefix: big-endian uint32
    <response> := <ack>                            # one zero byte

The hint bytes are UTF-8 ``"<type> 0x<hex data>"``: one space, the data lower-case hex with a
``0x`` prefix. kona (``Hint::encode``: ``"{ty} {Bytes}"``) and op-program (``hexutil.Encode``)
both write this form; kona parses the data with or without ``0x``, op-program requires it, so
:class:`HintWriter` always writes it and :class:`HintReader` accepts both.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from mauna.preimage.channel import Reader, Sink, Source, Writer
from mauna.preimage.errors import HintError, PreimageIOError
from mauna.preimage.keys import MAX_UINT64, precompile_key_preimage

HINT_LENGTH_PREFIX_SIZE = 4
HINT_ACK = b"\x00"
MAX_HINT_SIZE = (1 << 32) - 1

_TYPE_RE = re.compile(r"[!-~]+")  # printable ASCII, no space
_HEX_RE = re.compile(r"(?:0[xX])?((?:[0-9a-fA-F]{2})*)")


class HintType(StrEnum):
    """Every hint type of kona (single-chain and interop) and op-program, as sent on the wire."""

    L1_BLOCK_HEADER = "l1-block-header"
    L1_TRANSACTIONS = "l1-transactions"
    L1_RECEIPTS = "l1-receipts"
    L1_BLOB = "l1-blob"
    L1_PRECOMPILE = "l1-precompile"
    L1_PRECOMPILE_V2 = "l1-precompile-v2"
    L2_BLOCK_HEADER = "l2-block-header"
    L2_TRANSACTIONS = "l2-transactions"
    L2_RECEIPTS = "l2-receipts"
    L2_CODE = "l2-code"
    L2_STATE_NODE = "l2-state-node"
    L2_OUTPUT = "l2-output"
    L2_OUTPUT_ROOT = "l2-output-root"
    STARTING_L2_OUTPUT = "starting-l2-output"
    AGREED_PRE_STATE = "agreed-pre-state"
    L2_ACCOUNT_PROOF = "l2-account-proof"
    L2_ACCOUNT_STORAGE_PROOF = "l2-account-storage-proof"
    L2_PAYLOAD_WITNESS = "l2-payload-witness"
    L2_BLOCK_DATA = "l2-block-data"


@dataclass(frozen=True, slots=True)
class Hint:
    """A hint: its type string and its raw data bytes."""

    hint_type: str
    data: bytes

    def __post_init__(self) -> None:
        hint_type = str(self.hint_type) if isinstance(self.hint_type, str) else self.hint_type
        if not isinstance(hint_type, str) or not _TYPE_RE.fullmatch(hint_type):
            raise HintError(f"hint type must be non-empty printable ASCII without spaces, got {hint_type!r}")
        if not isinstance(self.data, bytes | bytearray | memoryview):
            raise HintError(f"hint data: expected bytes, got {type(self.data).__name__}")
        object.__setattr__(self, "hint_type", hint_type)
        object.__setattr__(self, "data", bytes(self.data))

    def encode(self) -> bytes:
        """The hint bytes: UTF-8 ``"<type> 0x<hex>"``."""
        return f"{self.hint_type} 0x{self.data.hex()}".encode()

    def frame(self) -> bytes:
        """The full request: ``uint32`` big-endian length ‖ hint bytes."""
        payload = self.encode()
        if len(payload) > MAX_HINT_SIZE:
            raise HintError(f"hint of {len(payload)} bytes does not fit a uint32 length prefix")
        return len(payload).to_bytes(HINT_LENGTH_PREFIX_SIZE, "big") + payload

    @classmethod
    def decode(cls, payload: bytes) -> Hint:
        """Parse hint bytes (without the length prefix)."""
        try:
            text = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HintError(f"hint is not UTF-8: {exc}") from None
        return cls.parse(text)

    @classmethod
    def parse(cls, text: str) -> Hint:
        """Parse ``"<type> <hex>"`` (hex with or without ``0x``)."""
        hint_type, sep, hex_data = text.partition(" ")
        if not sep:
            raise HintError(f"hint {_clip(text)!r} has no data part (expected '<type> <hex>')")
        if not _TYPE_RE.fullmatch(hint_type):
            raise HintError(f"hint type {_clip(hint_type)!r} is empty or not printable ASCII")
        m = _HEX_RE.fullmatch(hex_data)
        if m is None:
            raise HintError(f"hint {hint_type!r} data {_clip(hex_data)!r} is not even-length hex")
        return cls(hint_type, bytes.fromhex(m.group(1)))

    def __str__(self) -> str:
        return f"{self.hint_type} 0x{self.data.hex()}"


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class Hinter(Protocol):
    """Anything that can send a hint to the host."""

    def hint(self, hint_type: str, data: bytes) -> None: ...


class NoopHinter:
    """Drops every hint (onchain behaviour, or a host that already holds every pre-image)."""

    def hint(self, hint_type: str, data: bytes) -> None:
        Hint(hint_type, data)  # still reject malformed hints


class HintWriter:
    """Client side: writes a framed hint and waits for the host's one-byte acknowledgement.

    ``reader`` is the stream acks arrive on, ``writer`` the one hints go to.
    """

    def __init__(self, reader: Source, writer: Sink) -> None:
        self._reader = Reader(reader)
        self._writer = Writer(writer)
        self._lock = threading.Lock()

    def hint(self, hint_type: str, data: bytes) -> None:
        """Send ``"<hint_type> 0x<data hex>"`` and block until it is acknowledged."""
        self.send(Hint(hint_type, data))

    def send(self, hint: Hint) -> None:
        frame = hint.frame()
        with self._lock:
            self._writer.write_all(frame, f"hint {hint.hint_type}")
            ack = self._reader.read_exact(1, f"ack of hint {hint.hint_type}")
        if ack != HINT_ACK:
            raise PreimageIOError(f"ack of hint {hint.hint_type}: expected 0x00, got 0x{ack.hex()}")


HintRouter = Callable[[str, bytes], None]
"""Host-side handler of a hint: ``(hint_type, data)``."""


class HintReader:
    """Host side: reads framed hints, routes them, and acknowledges each one.

    The ack is written even when the hint is malformed or the router fails, so the client is never
    left blocked (as kona and op-program do); the error is then raised.
    """

    def __init__(self, reader: Source, writer: Sink, router: HintRouter) -> None:
        self._reader = Reader(reader)
        self._writer = Writer(writer)
        self._router = router

    def next_hint(self) -> bool:
        """Handle one hint; ``False`` when the client closed the stream before a new hint."""
        header = self._reader.read_exact_or_eof(HINT_LENGTH_PREFIX_SIZE, "hint length prefix")
        if header is None:
            return False
        length = int.from_bytes(header, "big")
        payload = self._reader.read_exact(length, f"hint payload ({length} bytes)")
        try:
            hint = Hint.decode(payload)
            self._router(hint.hint_type, hint.data)
        except Exception:
            self._ack()
            raise
        self._ack()
        return True

    def _ack(self) -> None:
        self._writer.write_all(HINT_ACK, "hint ack")

    def serve_forever(self, on_error: Callable[[Exception], None] | None = None) -> int:
        """Handle hints until the client closes the stream; returns how many were handled.

        Without ``on_error`` the first malformed hint or router error ends the loop by raising.
        With it, such errors are passed to ``on_error`` and serving continues. Channel errors
        (:class:`PreimageIOError`) always end the loop.
        """
        handled = 0
        while True:
            try:
                if not self.next_hint():
                    return handled
            except PreimageIOError:
                raise
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(exc)
            handled += 1


# --- hint data layouts ------------------------------------------------------------------------
def _uint64(value: int, what: str) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UINT64:
        raise HintError(f"{what}: expected a uint64, got {value!r}")
    return value.to_bytes(8, "big")


def _sized(value: bytes, size: int, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview) or len(value) != size:
        raise HintError(f"{what}: expected {size} bytes")
    return bytes(value)


def hash_and_chain_id(block_hash: bytes, chain_id: int | None = None) -> bytes:
    """``hash (32) ‖ uint64 chain id`` (chain id omitted before interop): L2 block/code/node hints."""
    out = _sized(block_hash, 32, "hint hash")
    return out if chain_id is None else out + _uint64(chain_id, "hint chain id")


def l1_blob_hint_data(blob_hash: bytes, timestamp: int, index: int | None = None) -> bytes:
    """``l1-blob`` data: ``versioned hash ‖ uint64 timestamp`` (the spec's layout, 40 bytes).

    With ``index``: ``versioned hash ‖ uint64 index ‖ uint64 timestamp`` (48 bytes), which
    op-program and kona's client send; a host accepts both.
    """
    out = _sized(blob_hash, 32, "blob versioned hash")
    if index is not None:
        out += _uint64(index, "blob index")
    return out + _uint64(timestamp, "blob block timestamp")


def precompile_hint_data(address: bytes, input_data: bytes, required_gas: int | None = None) -> bytes:
    """``l1-precompile`` / ``l1-precompile-v2`` data; equal to the bytes hashed into the key."""
    return precompile_key_preimage(address, input_data, required_gas)


def account_proof_hint_data(block_hash: bytes, address: bytes, chain_id: int) -> bytes:
    """``l2-account-proof`` data: ``block hash (32) ‖ address (20) ‖ uint64 chain id``."""
    return (
        _sized(block_hash, 32, "block hash")
        + _sized(address, 20, "account address")
        + _uint64(chain_id, "chain id")
    )


def block_data_hint_data(parent_hash: bytes, block_hash: bytes, chain_id: int) -> bytes:
    """``l2-block-data`` data: ``parent hash (32) ‖ block hash (32) ‖ uint64 chain id``."""
    return (
        _sized(parent_hash, 32, "parent hash")
        + _sized(block_hash, 32, "block hash")
        + _uint64(chain_id, "chain id")
    )
