"""The derivation stages, one module each, in pipeline order (protocol/derivation.md)."""
