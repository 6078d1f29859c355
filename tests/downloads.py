"""What every download carries (``scr.documents.attachment``, ``file_response``).

``check_download`` is called by the permission matrix on every response it gets (so on
every URL, for every role allowed to see it), and by tests/test_downloads.py on each
download named here: a response that is a download (an attachment, a file, a stream)
must be named below (a new download is a decision, not an accident) and carry the four
headers: a sandboxing Content-Security-Policy, ``nosniff``, ``no-store`` and
``Content-Disposition: attachment`` with a safe name. A stored file is a ``FileResponse``
(streamed from storage, never read whole).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse

from scr.documents import SANDBOX

# A stored file, sent by ``file_response``.
STORED_FILES = frozenset({
    "evidence_document_download", "meeting_minutes_download", "report_render_download",
    "library_download", "action_plan_pdf_download", "impact_evidence_download",
    "yearly_report_download", "briefing_download", "briefing_render_download",
    "rapid_review_report_download"})
# Made on the fly (CSV streamed, XLSX), sent with ``attachment``'s headers.
GENERATED = frozenset({
    "chronology_export", "chronology_template", "action_plan_export_csv",
    "action_plan_export_xlsx", "review_export", "access_log_export", "register_template",
    "yearly_report_csv", "yearly_report_xlsx"})
DOWNLOADS = STORED_FILES | GENERATED
# Downloads not yet on ``scr.documents.attachment`` (none).
NOT_YET: frozenset[str] = frozenset()

SAFE_ATTACHMENT = re.compile(r'^attachment; filename="[A-Za-z0-9._ -]+"$')


def is_download(response: Any) -> bool:
    return bool(getattr(response, "streaming", False)) or response.has_header(
        "Content-Disposition")


def check_download(url_name: str, response: Any, where: str) -> None:
    """Fail with ``where`` if ``response`` is a download not named here or not in shape."""
    if not is_download(response):
        return
    assert url_name in DOWNLOADS, f"{where}: a download not named in tests/downloads.py"
    if url_name in NOT_YET:
        return
    disposition = response.get("Content-Disposition", "")
    assert SAFE_ATTACHMENT.match(disposition), f"{where}: Content-Disposition {disposition!r}"
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert "no-store" in response.get("Cache-Control", ""), where
    assert response.get("Content-Security-Policy") == SANDBOX, where
    if url_name in STORED_FILES:
        assert isinstance(response, FileResponse), f"{where}: not streamed from storage"
