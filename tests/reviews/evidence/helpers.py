"""What the evidence tests share: a review in the Evidence stage with its reviewer and a
panel member appointed, police and health involved, and real files of every kind."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from reviews import services
from reviews.models import EvidenceRequest, PanelAppointment, Review, Stage
from tests.conftest import Personas, at_stage
from tests.reviews.services.helpers import open_review


def evidence_review(p: Personas) -> Review:
    review = open_review(p, involved=[p.police, p.health])
    services.panel_appoint(by=p.manager, review=review, user=p.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent of the case and agencies.")
    services.panel_appoint(by=p.manager, review=review, user=p.panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER, agency=p.education)
    return at_stage(review, Stage.EVIDENCE)


def due(days: int = 10) -> Any:
    return timezone.localdate() + timedelta(days=days)


def send_imr(p: Personas, review: Review, *agencies: Any) -> list[EvidenceRequest]:
    return services.evidence_requests_send(
        by=p.manager, review=review, agencies=list(agencies) or [p.police], kind="imr",
        description="Your agency report for the scope period.", due_on=due())


REPORT = {"author": "DS Ada Example, review officer", "independence": "No involvement.",
          "records_secured_on": timezone.localdate() - timedelta(days=2),
          "terms_addressed": "Information sharing.", "context": "Two officers short.",
          "method": "Read 40 records; interviewed PC One on 1 May.",
          "analysis": "Referrals were made but never followed up.",
          "good_practice": "Quick response to the 999 call.",
          "lessons": "Check referrals are acknowledged.",
          "recommendations": "Audit referral follow-up quarterly."}


def submit_imr(p: Personas, request: EvidenceRequest, number: int = 0, **changes: Any) -> Any:
    services.agency_report_save(by=p.police_lead if request.agency == p.police else p.health_lead,
                                request=request, **{**REPORT, **changes})
    lead = p.police_lead if request.agency == p.police else p.health_lead
    return services.evidence_request_submit(by=lead, request=request, expected_number=number)


# ---------------------------------------------------------------- files of every kind

def _zip(entries: dict[str, bytes | str], *, stored_first: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), entries.pop(stored_first))
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _content_types(main: str, extra: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/>{extra}<Override PartName="{main[0]}" '
            f'ContentType="{main[1]}"/></Types>')


WORD_MAIN = ("/word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
WORD_MACRO_MAIN = ("/word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
EXCEL_MAIN = ("/xl/workbook.xml",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
EXCEL_MACRO_MAIN = ("/xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="{}"/></Relationships>')
# A VBA project is an OLE compound file: this is its signature and header, as Office writes.
VBA_PROJECT = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff"
               + b"\x09\x00" + b"\x00" * 486)


def docx(text: str = "Police notes") -> bytes:
    return _zip({"[Content_Types].xml": _content_types(WORD_MAIN),
                 "_rels/.rels": RELS.format("word/document.xml"),
                 "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                                      f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}'
                                      '</w:t></w:r></w:p></w:body></w:document>'})


def docm() -> bytes:
    """A macro-enabled Word document: a real vbaProject.bin part and its content type."""
    return _zip({"[Content_Types].xml": _content_types(
        WORD_MACRO_MAIN, '<Default Extension="bin" ContentType="application/vnd.ms-office.'
                         'vbaProject"/>'),
                 "_rels/.rels": RELS.format("word/document.xml"),
                 "word/document.xml": "<w:document/>",
                 "word/_rels/document.xml.rels": RELS.format("vbaProject.bin"),
                 "word/vbaProject.bin": VBA_PROJECT})


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(EXCEL_MAIN),
                 "_rels/.rels": RELS.format("xl/workbook.xml"),
                 "xl/workbook.xml": "<workbook/>"})


def xlsm() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(EXCEL_MACRO_MAIN),
                 "_rels/.rels": RELS.format("xl/workbook.xml"),
                 "xl/workbook.xml": "<workbook/>", "xl/vbaProject.bin": VBA_PROJECT})


def opendocument(kind: str) -> bytes:
    return _zip({"mimetype": f"application/vnd.oasis.opendocument.{kind}",
                 "content.xml": "<office:document-content/>",
                 "META-INF/manifest.xml": "<manifest:manifest/>"}, stored_first="mimetype")


def encrypted_docx() -> bytes:
    """A Word document whose parts carry the zip format's encryption flag (bit 0 of the
    general-purpose flags, as ``zip -e`` sets it), in both the local and central headers.
    Python's zipfile cannot write encrypted entries, so the flag is set in the bytes."""
    data = bytearray(docx())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + offset] |= 0x1
            start = data.find(signature, start + 4)
    return bytes(data)


def encrypted_office() -> bytes:
    """A password-protected Office file: an OLE container with EncryptionInfo and
    EncryptedPackage streams (their names in the directory sector, UTF-16LE)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff"
    header += b"\x09\x00\x06\x00" + b"\x00" * (512 - len(header) - 4)
    names = b"".join(n.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
                     for n in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    return header + names + b"\x00" * 1024


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xdb\x00\x43\x00" + bytes(range(64)) + b"\xff\xd9")


def pe_executable() -> bytes:
    """A Windows program's headers: the MZ stub pointing at a PE signature."""
    stub = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    stub[0x3C:0x40] = struct.pack("<I", 0x80)
    body = bytes(stub).ljust(0x80, b"\x00") + b"PE\x00\x00" + struct.pack(
        "<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)
    return body + b"\x00" * 512


def upload(content: bytes, name: str) -> ContentFile:
    return ContentFile(content, name=name)
