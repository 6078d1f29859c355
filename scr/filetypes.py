"""What a file is, judged by its content, and a filename that is safe to send back.

The type comes from libmagic (the maintained ``python-magic`` binding, Debian's
``libmagic1``), never from the name or the browser's ``Content-Type``: a renamed ``.exe``
is ``application/x-dosexec`` whatever it is called. Each kind of stored document allows
a few of the types below (``StoredDocument.ALLOWED_TYPES``).

Office files are zip (or, encrypted, OLE) containers, and libmagic judges them from their
first entries: a macro-enabled ``.docm`` reads as a Word document and a password-protected
one as an OLE container. ``inspect_container`` therefore opens the container's directory
(the zip's central directory with the standard library, never the whole file) and refuses
macros (a ``vbaProject.bin`` part, a macro-enabled content type, OpenDocument ``Basic/`` or
``Scripts/``) and encryption (an OLE ``EncryptedPackage`` stream, a zip entry with the
encryption flag, an OpenDocument manifest with ``encryption-data``). Finally the declared
name's extension must agree with the content (``extension_problem``).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import IO

import magic

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"

# The extension a downloaded file gets, and the words an error message uses.
KNOWN_TYPES: dict[str, tuple[str, str]] = {
    PDF: (".pdf", "PDF"),
    DOCX: (".docx", "Word document (DOCX)"),
    XLSX: (".xlsx", "Excel spreadsheet (XLSX)"),
    ODT: (".odt", "OpenDocument text (ODT)"),
    ODS: (".ods", "OpenDocument spreadsheet (ODS)"),
    CSV: (".csv", "CSV"),
    TEXT: (".txt", "plain text"),
    PNG: (".png", "PNG image"),
    JPEG: (".jpg", "JPEG image"),
}

# libmagic reads the start of a file; OOXML and ODT are recognised from the zip entries
# near the start, which can sit past the first few KiB.
SNIFF_BYTES = 64 * 1024

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")

# Every type a document may be (the evidence allow-list): PDF, Word, Excel, OpenDocument
# text and spreadsheet, CSV, plain text, PNG and JPEG.
EVIDENCE_TYPES = frozenset({PDF, DOCX, XLSX, ODT, ODS, CSV, TEXT, PNG, JPEG})

# The extensions a declared name may carry for each type. Plain text and CSV are one
# family: libmagic calls a one-column CSV plain text and a text with commas CSV, so the
# declared extension decides between the two (``text_type``).
EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}), DOCX: frozenset({".docx"}), XLSX: frozenset({".xlsx"}),
    ODT: frozenset({".odt"}), ODS: frozenset({".ods"}), CSV: frozenset({".csv", ".txt"}),
    TEXT: frozenset({".txt", ".text", ".csv"}), PNG: frozenset({".png"}),
    JPEG: frozenset({".jpg", ".jpeg"}),
}

ZIP_TYPES = frozenset({"application/zip", DOCX, XLSX, ODT, ODS})
OLE_TYPES = frozenset({"application/x-ole-storage", "application/CDFV2",
                       "application/encrypted", "application/vnd.ms-office"})
# An OLE container holding an encrypted Office package names these streams (UTF-16LE).
_OLE_ENCRYPTED = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_OOXML_MAIN = {
    "wordprocessingml.document.main+xml": DOCX,
    "spreadsheetml.sheet.main+xml": XLSX,
}
# Small parts read from a container; anything bigger is not a real manifest.
_PART_LIMIT = 1024 * 1024


class Refused(Exception):
    """The content cannot be stored: ``code`` says why, the message says it in words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


MACROS = Refused("macros", "The selected file contains macros: save it without macros "
                           "(for example as .docx or .xlsx) and upload it again")
ENCRYPTED = Refused("encrypted", "The selected file is password-protected or encrypted: "
                                 "remove the password and upload it again")


def _read_part(archive: zipfile.ZipFile, name: str) -> str:
    info = archive.getinfo(name)
    if info.file_size > _PART_LIMIT:
        return ""
    return archive.read(info).decode("utf-8", "replace")


def inspect_container(file: IO[bytes], content_type: str, head: bytes) -> str:
    """The type of an Office or OpenDocument container, judged from its parts; refuses
    macros and encryption (``Refused``). Other types pass through unchanged.

    Reads only the zip's directory and two small parts (content types, manifest), through
    the file's own seek: a large upload is never read into memory."""
    if content_type in OLE_TYPES or head.startswith(b"\xd0\xcf\x11\xe0"):
        if any(name in head for name in _OLE_ENCRYPTED) or content_type == "application/encrypted":
            raise ENCRYPTED
        return content_type
    if content_type not in ZIP_TYPES:
        return content_type
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            names = {info.filename.lower() for info in entries}
            if any(info.flag_bits & 0x1 for info in entries):
                raise ENCRYPTED
            if any(n.endswith("vbaproject.bin") or n.startswith(("basic/", "scripts/"))
                   for n in names):
                raise MACROS
            kinds = _read_part(archive, "[Content_Types].xml") if (
                "[content_types].xml" in names) else ""
            if "macroenabled" in kinds.lower() or "vbaproject" in kinds.lower():
                raise MACROS
            if "meta-inf/manifest.xml" in names and "encryption-data" in _read_part(
                    archive, next(i.filename for i in entries
                                  if i.filename.lower() == "meta-inf/manifest.xml")):
                raise ENCRYPTED
            if content_type == "application/zip":
                content_type = next((t for part, t in _OOXML_MAIN.items() if part in kinds),
                                    content_type)
                if content_type == "application/zip" and "mimetype" in names:
                    declared = _read_part(archive, "mimetype").strip()
                    content_type = declared if declared in (ODT, ODS) else content_type
    except zipfile.BadZipFile:
        return "application/octet-stream"
    finally:
        file.seek(0)
    return content_type


def extension_of(name: str) -> str:
    """The declared extension, lower case with its dot ('' when the name has none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


def text_type(content_type: str, name: str) -> str:
    """Plain text or CSV: the family is judged by content, the member by the declared name."""
    if content_type in (TEXT, CSV):
        return CSV if extension_of(name) == ".csv" else TEXT
    return content_type


def extension_problem(name: str, content_type: str) -> str:
    """Why the declared name disagrees with the content ('' when it agrees or has no
    extension: then the download name gets the content's own extension)."""
    extension = extension_of(name)
    allowed = EXTENSIONS.get(content_type)
    if not extension or allowed is None or extension in allowed:
        return ""
    return (f"The selected file is a {KNOWN_TYPES[content_type][1]} but its name ends in "
            f"{extension}: rename it to end in {KNOWN_TYPES[content_type][0]}, or choose the "
            "right file")


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_original_name(name: str) -> str:
    """The uploader's file name kept as data only: no path, no control or direction-override
    characters, Unicode NFC, at most 255 characters. It never names a stored file."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _CONTROL.sub("", unicodedata.normalize("NFC", base)).strip()
    return base[:255] or "document"
