"""FastLZ compressed length, as the Fjord L1-cost function measures a transaction.

Spec: protocol/fjord/exec-engine.md, "FastLZ Implementation": the estimator must equal
``fastlz_compress`` of ariya/FastLZ (level 1, commit 344eb40). Only the *length* of the output is
needed, so this module counts the bytes the compressor would emit without producing them: literal
runs cost one control byte per started block of 32 literals plus the literals; a back-reference
costs one 3-byte token per 262 copied bytes, and a last token of 2 bytes if fewer than 9 bytes remain
to copy, else 3 bytes.

The hash table, match search and limits follow the compressor exactly (as do op-geth's
``FlzCompressLen`` and Solady's ``LibZip.flzCompress``, whose lengths agree with it bit for bit):

- 8192-entry hash table over 24-bit little-endian words, hash ``(2654435769 * v mod 2^32) >> 19``;
- every table slot starts at position 0;
- a match is accepted when the candidate is at most 8191 bytes back and its first 3 bytes are equal;
- the search stops 13 bytes before the end; matches may run to 4 bytes before the end.

op-geth's ``FlzCompressLen``, which fixes the values the chain charges, applies this level-1
algorithm at every input length (no switch to level 2 for large inputs), and so does this module.
"""

from __future__ import annotations

_HASH_LOG = 13
_HASH_SIZE = 1 << _HASH_LOG
_HASH_MASK = _HASH_SIZE - 1
_MAX_DISTANCE = 0x1FFF
_U32 = 0xFFFFFFFF


def _hash(word: int) -> int:
    return (((2654435769 * word) & _U32) >> (32 - _HASH_LOG)) & _HASH_MASK


def _literals_len(run: int) -> int:
    """Bytes emitted for ``run`` literals: a control byte per started block of 32, plus the bytes."""
    full, rest = divmod(run, 0x20)
    return 0x21 * full + (rest + 1 if rest else 0)


def _match_len(length: int) -> int:
    """Bytes emitted for a back-reference whose compared length is ``length`` (>= 1)."""
    length -= 1
    full, rest = divmod(length, 262)
    return 3 * full + (3 if rest >= 6 else 2)


def flz_compress_len(data: bytes) -> int:
    """Length in bytes of the FastLZ (level 1) compression of ``data``.

    ``flz_compress_len(b"") == 0``; inputs shorter than 16 bytes are stored as literals only.
    """
    ib = bytes(data)
    size = len(ib)
    n = 0
    table = [0] * _HASH_SIZE
    ip_limit = size - 13 if size >= 13 else 0

    def u24(i: int) -> int:
        return ib[i] | (ib[i + 1] << 8) | (ib[i + 2] << 16)

    anchor = 0
    ip = 2
    while ip < ip_limit:
        # Find the next position whose 3-byte word was seen within the window.
        while True:
            seq = u24(ip)
            h = _hash(seq)
            ref = table[h]
            table[h] = ip
            distance = ip - ref
            if ip >= ip_limit:
                break
            ip += 1
            if distance <= _MAX_DISTANCE and seq == u24(ref):
                break
        if ip >= ip_limit:
            break
        ip -= 1
        if ip > anchor:
            n += _literals_len(ip - anchor)
        # Compare past the 3 known-equal bytes; the count includes the first differing byte
        # (the compressor's ``ref`` pointer advances past it before the length is taken).
        p, q = ref + 3, ip + 3
        bound = ip_limit + 9 - q
        length = 0
        while length < bound:
            if ib[p + length] != ib[q + length]:
                length += 1
                break
            length += 1
        n += _match_len(length)
        ip += length
        table[_hash(u24(ip))] = ip
        ip += 1
        table[_hash(u24(ip))] = ip
        ip += 1
        anchor = ip
    n += _literals_len(size - anchor)
    return n
