"""Benchmark the frame → channel → batch decoding path against raw decompression of the same bytes.

For each input, in the same run: the full path (``parse_frames`` on every batcher transaction's data,
``Channel`` assembly, ``read_channel`` (decompression with the RLP-bytes limit and the item scan),
``decode_batch`` of every batch), and the baseline — ``zlib.decompressobj().decompress`` /
``brotli.Decompressor().process`` of the same channel bytes. Reports batches/s, MB/s (decompressed
bytes per second) and the ratio baseline time / path time (1.0 = decoding costs nothing beyond
decompression; target ≥ 0.5), and the time of each step.

Inputs: the real OP Mainnet zlib channel holding one span batch (``tests/fixtures/kona/derive/batch.hex``),
the real OP Mainnet batcher transaction (``raw_batcher_tx.hex``), and synthetic zlib / brotli channels
of singular batches with realistic transaction sizes.

    python bench/derive.py [--seconds S]
"""

from __future__ import annotations

import argparse
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import brotli

from mauna.derive.l1_tx import decode_l1_transaction
from mauna.primitives.block import BlockID
from mauna.primitives.rlp_utils import rlp_encode
from mauna.protocol.batch import SingleBatch, decode_batch, encode_batch
from mauna.protocol.channel import Channel, read_channel
from mauna.protocol.compression import compress_brotli, compress_zlib, max_rlp_bytes_per_channel
from mauna.protocol.frames import DERIVATION_VERSION_0, MAX_FRAME_LEN, Frame, encode_frames, parse_frames

ROOT = Path(__file__).resolve().parents[1]
KONA = ROOT / "tests/fixtures/kona/derive"
MAX_RLP = max_rlp_bytes_per_channel(fjord=True)
FRAME_SIZE = 120_000


@dataclass(frozen=True)
class Input:
    name: str
    txs_data: list[bytes]
    """Batcher transactions' data: version byte + frames."""
    channel: bytes
    """The channel data (concatenated frame data), for the baseline."""


def frames_calldata(channel: bytes, channel_id: bytes) -> list[bytes]:
    """Split channel data into frames, one frame per batcher transaction."""
    chunks = [channel[i : i + FRAME_SIZE] for i in range(0, len(channel), FRAME_SIZE)]
    assert all(len(c) <= MAX_FRAME_LEN for c in chunks)
    frames = [Frame(channel_id, n, c, n == len(chunks) - 1) for n, c in enumerate(chunks)]
    return [encode_frames([f]) for f in frames]


def real_span_channel() -> Input:
    channel = bytes.fromhex((KONA / "batch.hex").read_text().strip().removeprefix("0x"))
    return Input("real span batch (zlib, batch.hex)", frames_calldata(channel, b"\x11" * 16), channel)


def real_batcher_tx() -> Input:
    tx = decode_l1_transaction((KONA / "raw_batcher_tx.hex").read_bytes())
    frames = parse_frames(tx.data)
    return Input("real batcher tx (raw_batcher_tx.hex)", [tx.data], b"".join(f.data for f in frames))


def synthetic(algo: str, batches: int = 3000, seed: int = 7) -> Input:
    rng = random.Random(seed)
    parent = b"\x00" * 32
    out = []
    for n in range(batches):
        # Transactions of typical L2 sizes; half their bytes are random (signatures, hashes), half repeat
        # (calldata selectors, zero padding) so the compression ratio is realistic (about 2-3x).
        txs = tuple(
            bytes([2]) + rng.randbytes(s // 2) + bytes(s - s // 2)
            for s in (rng.choice((110, 150, 180, 300, 700)) for _ in range(rng.randint(2, 12)))
        )
        out.append(SingleBatch(parent, 100 + n // 6, rng.randbytes(32), 1_000 + 2 * n, txs))
        parent = rng.randbytes(32)
    raw = b"".join(rlp_encode(encode_batch(b)) for b in out)
    channel = compress_zlib(raw) if algo == "zlib" else compress_brotli(raw, quality=9)
    return Input(
        f"synthetic {batches} singular batches ({algo})", frames_calldata(channel, b"\x22" * 16), channel
    )


def assemble(item: Input) -> Channel:
    """parse_frames on every batcher transaction, and the channel built from the frames."""
    channel: Channel | None = None
    for data in item.txs_data:
        for frame in parse_frames(data):
            if channel is None:
                channel = Channel(frame.channel_id, BlockID(b"\x00" * 32, 1))
            channel.add_frame(frame, BlockID(b"\x00" * 32, 1))
    assert channel is not None and channel.is_ready()
    return channel


def read(channel_data: bytes) -> list[bytes]:
    return read_channel(channel_data, MAX_RLP, fjord=True)


def decode_all(batches: list[bytes]) -> None:
    for encoded in batches:
        decode_batch(encoded, max_size=MAX_RLP)


def decode_path(item: Input) -> tuple[int, int]:
    """The full path; returns (batches, decompressed bytes)."""
    batches = read(assemble(item).frame_data())
    decode_all(batches)
    return len(batches), sum(len(b) for b in batches)


def raw_decompress(item: Input) -> int:
    """One-shot streaming decompression (tolerates a truncated stream, as channels may be)."""
    if item.channel[0] & 0x0F == 8:  # zlib CM=8
        return len(zlib.decompressobj().decompress(item.channel))
    return len(brotli.Decompressor().process(item.channel[1:]))


def best_time(fn: Callable[[], object], seconds: float) -> float:
    best = float("inf")
    deadline = time.perf_counter() + seconds
    runs = 0
    while runs < 3 or time.perf_counter() < deadline:
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
        runs += 1
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per measurement (best of)")
    args = parser.parse_args()
    assert DERIVATION_VERSION_0 == 0
    inputs = [real_span_channel(), real_batcher_tx(), synthetic("zlib"), synthetic("brotli")]
    header = f"{'input':44} {'comp KB':>8} {'raw KB':>8} {'batches':>7} {'batches/s':>10} {'MB/s':>7} "
    header += f"{'raw MB/s':>8} {'ratio':>6}   {'frames ms':>9} {'read ms':>8} {'decode ms':>9} {'raw ms':>7}"
    print(header)
    ratios = []
    for item in inputs:
        count, size = decode_path(item)
        assert raw_decompress(item) >= size
        path = best_time(lambda item=item: decode_path(item), args.seconds)  # type: ignore[misc]
        base = best_time(lambda item=item: raw_decompress(item), args.seconds)  # type: ignore[misc]
        data = assemble(item).frame_data()
        batches = read(data)
        t_frames = best_time(lambda item=item: assemble(item).frame_data(), args.seconds / 3)  # type: ignore[misc]
        t_read = best_time(lambda data=data: read(data), args.seconds / 3)  # type: ignore[misc]
        t_decode = best_time(lambda batches=batches: decode_all(batches), args.seconds / 3)  # type: ignore[misc]
        ratio = base / path
        ratios.append(ratio)
        print(
            f"{item.name:44} {len(item.channel) / 1024:8.0f} {size / 1024:8.0f} {count:7d} "
            f"{count / path:10.0f} {size / path / 1e6:7.1f} {size / base / 1e6:8.1f} {ratio:6.2f}   "
            f"{t_frames * 1e3:9.2f} {t_read * 1e3:8.2f} {t_decode * 1e3:9.2f} {base * 1e3:7.2f}"
        )
    print(f"worst ratio {min(ratios):.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
