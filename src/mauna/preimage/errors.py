"""Errors of the pre-image layer; every one is a :class:`~mauna.errors.PreimageError`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mauna.errors import PreimageError

if TYPE_CHECKING:
    from mauna.preimage.keys import PreimageKey


class PreimageKeyError(PreimageError):
    """A pre-image key is malformed: wrong length, zero or unknown type byte, bad field."""


class PreimageIOError(PreimageError):
    """The oracle or hint channel failed: closed early, short message, OS-level I/O error."""


class HintError(PreimageError):
    """A hint is malformed (not UTF-8, no ``<type> <hex>`` shape, bad hex) or carries bad data."""


class PreimageNotFoundError(PreimageError):
    """No pre-image is known for a key (raised by in-memory or store-backed sources)."""

    def __init__(self, key: PreimageKey, message: str | None = None) -> None:
        self.key = key
        super().__init__(message or f"no pre-image for key {key}")


class PreimageMismatchError(PreimageError):
    """A pre-image does not match its key. Fatal: the host served wrong data.

    ``key`` is the key the data was requested with (or, for whole-blob checks, the SHA-256 key the
    blob's commitment was fetched with).
    """

    def __init__(self, key: PreimageKey, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"pre-image mismatch for key {key}: {reason}")
