"""What a file is, read from its first bytes: the few types a help desk accepts."""

from __future__ import annotations

# Media types accepted, with the signatures that prove them (text has none: see `sniff`).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}
TEXT_TYPES = ("text/plain", "text/csv")
ACCEPTED = (*SIGNATURES, *TEXT_TYPES)
# Enough of a text file to judge it by; a multi-byte character cut at the end is allowed.
_TEXT_SAMPLE = 64 * 1024


def sniff(content: bytes) -> str | None:
    """The accepted media type the content is, or None (a type we do not take, or not known)."""
    for media_type, signatures in SIGNATURES.items():
        if content.startswith(signatures):
            return media_type
    sample = content[:_TEXT_SAMPLE]
    if b"\x00" in sample:
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Only a character cut by the sample's end is forgiven.
        if exc.start < len(sample) - 3 or len(content) == len(sample):
            return None
    return "text/plain"


def matches(declared: str, found: str) -> bool:
    """A CSV file is text; everything else must be what it says."""
    return declared == found or (declared in TEXT_TYPES and found == "text/plain")
