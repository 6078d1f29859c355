"""What a file is, judged by its content, and a filename that is safe to send back.

The type comes from libmagic (the maintained ``python-magic`` binding, Debian's
``libmagic1``), never from the name or the browser's ``Content-Type``: a renamed ``.exe``
is ``application/x-dosexec`` whatever it is called. Each kind of stored document allows
a few of the types below (``StoredDocument.ALLOWED_TYPES``).
"""

from __future__ import annotations

import re
import unicodedata

import magic

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"

# The extension a downloaded file gets, and the words an error message uses.
KNOWN_TYPES: dict[str, tuple[str, str]] = {
    PDF: (".pdf", "PDF"),
    DOCX: (".docx", "Word document (DOCX)"),
    XLSX: (".xlsx", "Excel spreadsheet (XLSX)"),
    ODT: (".odt", "OpenDocument text (ODT)"),
    TEXT: (".txt", "plain text"),
    PNG: (".png", "PNG image"),
    JPEG: (".jpg", "JPEG image"),
}

# libmagic reads the start of a file; OOXML and ODT are recognised from the zip entries
# near the start, which can sit past the first few KiB.
SNIFF_BYTES = 64 * 1024

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def sniff(head: bytes) -> str:
    """The MIME type libmagic finds in the first bytes of a file."""
    return magic.from_buffer(head[:SNIFF_BYTES], mime=True)


def describe(types: frozenset[str] | set[str]) -> str:
    """'PDF, Word document (DOCX) or plain text', in a stable order, for error messages."""
    order = list(KNOWN_TYPES)
    ranked = sorted(types, key=lambda t: (order.index(t) if t in order else len(order), t))
    words = [KNOWN_TYPES[t][1] if t in KNOWN_TYPES else t for t in ranked]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def safe_filename(original: str, content_type: str) -> str:
    """A download name with no path, no control or quote characters, ASCII letters only,
    and the extension of the type the content really is (never the one typed)."""
    stem = original.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = _UNSAFE.sub("-", ascii_stem).strip(" .-")[:100] or "document"
    extension = KNOWN_TYPES.get(content_type, ("", ""))[0]
    return ascii_stem + extension
