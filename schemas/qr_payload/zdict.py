"""Placeholder; replaced by the generated dictionary."""
PRESET_DICTIONARY = b"\x00"
