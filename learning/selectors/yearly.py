"""Reads of the yearly report: its page (the period's figures, the narrative as the reader may
read it, the latest PDF and its leak check, each section's earlier versions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType

from agencies.models import User
from agencies.models.roles import Role
from learning.models import SECTIONS, YEARLY_KIND, YearlyLeakCheck, YearlyReport
from reviews.models import Review
from reviews.selectors import review_registers
from scr.models import RenderRecord
from scr.pseudonymise import pseudonymise

__all__ = ["Section", "latest_render", "yearly_renders", "yearly_sections"]


def _renders(report: YearlyReport) -> Any:
    return RenderRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(YearlyReport), object_id=report.pk,
        kind=YEARLY_KIND)


def latest_render(report: YearlyReport) -> RenderRecord | None:
    """The latest finished PDF of the report."""
    return _renders(report).filter(status=RenderRecord.Status.DONE).order_by(
        "-finished_at", "-id").first()


def yearly_renders(report: YearlyReport) -> list[tuple[RenderRecord, YearlyLeakCheck | None]]:
    renders = list(_renders(report).order_by("-created_at", "-id")[:10])
    checks = {c.render_id: c for c in YearlyLeakCheck.objects.filter(
        render__in=[r.pk for r in renders])}
    return [(r, checks.get(r.pk)) for r in renders]


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    prompt: str
    text: str
    versions: int  # how many times it was saved with a change


def yearly_sections(user: User, report: YearlyReport) -> list[Section]:
    """The narrative: as written for business managers; through the pseudonymiser, with every
    review's register, for anyone else (the board never reads a real name)."""
    manager = user.has_role(Role.BUSINESS_MANAGER)
    register = [] if manager else [e for entries in review_registers(
        Review._base_manager.values_list("pk", flat=True)).values() for e in entries]
    texts = list(report.history.order_by("history_id").values(*[n for n, _, _ in SECTIONS]))
    out = []
    for name, title, prompt in SECTIONS:
        text = getattr(report, name)
        changes = len({t[name] for t in texts if t[name]})
        out.append(Section(name, title, prompt, text if manager else pseudonymise(text, register),
                           changes))
    return out
