"""The permission matrix's rules for the learning pages (tests/test_permission_matrix.py
merges them into ``RULES``): business managers and board members read the themes page and the
yearly reports (figures are counts and references, the narrative is pseudonymised for the
board); only business managers write them; everyone else signed in is refused (403)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from learning import services
from learning.models import YEARLY_KIND, YearlyReport
from scr.models import RenderRecord

ROLES = ("anonymous", "manager", "reviewer", "panel", "police_lead", "health_lead", "board")


def expect(**statuses: int) -> dict[str, int]:
    return {"anonymous": 302, **statuses}


BOARD_AND_MANAGER = expect(manager=200, reviewer=403, panel=403, police_lead=403,
                           health_lead=403, board=200)
MANAGER_ONLY = expect(manager=200, reviewer=403, panel=403, police_lead=403, health_lead=403,
                      board=403)
POST_ONLY = dict.fromkeys(ROLES, 405)


def report(w: Any) -> YearlyReport:
    """A yearly report with a published (arranged) PDF, made once per test."""
    if getattr(w, "_yearly", None) is None:
        manager = w.people.manager
        made = services.yearly_report_create(by=manager, title="Annual report",
                                             start=date(2026, 4, 1), end=date(2027, 3, 31))
        pdf = b"%PDF-1.4\n"
        record = RenderRecord(content_type=ContentType.objects.get_for_model(YearlyReport),
                              object_id=made.pk, kind=YEARLY_KIND, created_by=manager,
                              status=RenderRecord.Status.DONE, size=len(pdf),
                              sha256=hashlib.sha256(pdf).hexdigest())
        record.file.save("yearly.pdf", ContentFile(pdf), save=False)
        record.save()
        YearlyReport.objects.filter(pk=made.pk).update(published_render=record)
        w._yearly = made
    return w._yearly  # type: ignore[no-any-return]


def pk(w: Any) -> dict[str, Any]:
    return {"pk": report(w).pk}


def rules(case: Any) -> dict[str, list[Any]]:
    return {
        "learning_themes": [case(expected=BOARD_AND_MANAGER)],
        "yearly_reports": [case(expected=BOARD_AND_MANAGER)],
        "yearly_report_add": [case(expected=MANAGER_ONLY)],
        "yearly_report": [case(pk, BOARD_AND_MANAGER),
                          case(lambda w: {"pk": 987654}, expect(
                              manager=404, reviewer=403, panel=403, police_lead=403,
                              health_lead=403, board=404))],
        "yearly_section": [case(lambda w: {**pk(w), "section": "learning"}, MANAGER_ONLY)],
        "yearly_report_csv": [case(pk, BOARD_AND_MANAGER)],
        "yearly_report_xlsx": [case(pk, BOARD_AND_MANAGER)],
        "yearly_report_render": [case(pk, POST_ONLY)],
        "yearly_report_publish": [case(pk, MANAGER_ONLY)],
        "yearly_report_download": [case(pk, BOARD_AND_MANAGER)],
    }
