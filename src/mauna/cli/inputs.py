"""Input helpers shared by the CLI commands: ``HEX`` or ``@FILE`` arguments and JSON output."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from mauna.errors import DecodeError

_HEX_TEXT = re.compile(rb"^\s*(0x)?[0-9a-fA-F\s]*$")


def read_bytes_arg(arg: str) -> bytes:
    """Bytes from a CLI argument: ``0x``-hex / bare hex, ``@FILE`` (hex text or raw binary) or ``-``.

    A file whose whole content is hex text (optionally ``0x``-prefixed, with whitespace) is read as
    hex; anything else is taken as raw binary.
    """
    if arg == "-" or arg == "@-":
        raw = sys.stdin.buffer.read()
        return _hex_or_binary(raw, "stdin")
    if arg.startswith("@"):
        path = Path(arg[1:])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DecodeError(f"cannot read {path}: {exc.strerror or exc}") from exc
        return _hex_or_binary(raw, str(path))
    text = arg.strip()
    if text[:2] in ("0x", "0X"):
        text = text[2:]
    if len(text) % 2:
        raise DecodeError(f"argument: odd number of hex digits ({len(text)})")
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise DecodeError(f"argument: not hex (use @FILE for a file): {arg[:40]!r}") from exc


def _hex_or_binary(raw: bytes, where: str) -> bytes:
    if raw and _HEX_TEXT.match(raw):
        text = b"".join(raw.split())
        if text[:2] in (b"0x", b"0X"):
            text = text[2:]
        if len(text) % 2 == 0:
            return bytes.fromhex(text.decode())
        raise DecodeError(f"{where}: odd number of hex digits ({len(text)})")
    return raw


def jsonable(value: Any) -> Any:
    """Recursively convert bytes to 0x-hex and tuples to lists so ``json.dumps`` accepts it."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def dump_json(value: Any) -> str:
    return json.dumps(jsonable(value), indent=2)
