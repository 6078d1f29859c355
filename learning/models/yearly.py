"""The yearly report (issue 21, item 3): for a reporting period the business manager chooses,
the figures (``actionplans.selectors.period_figures``, never stored: worked out when read),
the narrative sections the business manager writes (each change kept in the history, with
who and why), and its PDFs.

- ``YearlyReport`` — the period, the title and the narrative; ``published_render`` is the
  PDF published to the board (a clean leak check, made from what the report is now).
- ``YearlyLeakCheck`` — the leak check of one of its PDFs (the rendered text read back and
  searched for every identifier of every review's register).

Scope: business managers write and read; board members read (the figures are counts and
references; the narrative is shown through the pseudonymiser); no one else.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import User
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.models import RenderRecord
from scr.text import DOCUMENT_LENGTH

__all__ = ["SECTIONS", "YEARLY_KIND", "YearlyLeakCheck", "YearlyReport", "YearlyReportQuerySet"]

# The render kind of its PDF (``scr.renders``).
YEARLY_KIND = "learning.yearly_report"

# The narrative sections, in the order the report prints them: (field, title, prompt).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("introduction", "Introduction", "The partnership's year in a few paragraphs."),
    ("learning", "What we learned", "The lessons of the reviews published in the period."),
    ("impact", "The difference it made", "What changed for children, and how we know."),
    ("delays", "Why some reviews took longer", "The reasons for delay, in your words."),
    ("priorities", "Priorities for next year", "What the partnership will do next."),
)


def _narrative_for_managers_only(reader: Any, version: Any) -> list[str] | None:
    """Its history page: every field to a business manager; to a board member, all but the
    narrative, which they read only through the pseudonymiser on the report's page."""
    from agencies.models.roles import Role

    if reader.has_role(Role.BUSINESS_MANAGER):
        return None
    narrative = {name for name, _, _ in SECTIONS}
    return [f.name for f in YearlyReport._meta.concrete_fields if f.name not in narrative]


class YearlyLeakCheckQuerySet(models.QuerySet["YearlyLeakCheck"]):
    def for_user(self, user: User, action: Action = "view") -> YearlyLeakCheckQuerySet:
        """Business managers only: the hits name the people found."""
        from agencies.models.roles import Role

        if (getattr(user, "is_authenticated", False) and user.is_active
                and user.has_role(Role.BUSINESS_MANAGER)):
            return self
        return self.none()


class YearlyReportQuerySet(models.QuerySet["YearlyReport"]):
    def for_user(self, user: User, action: Action = "view") -> YearlyReportQuerySet:
        from agencies.models.roles import Role

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_role(Role.BUSINESS_MANAGER):
            return self
        if action in ("view", "aggregate") and user.has_role(Role.BOARD_MEMBER):
            return self
        return self.none()


class YearlyReport(models.Model):
    title = models.CharField(max_length=200)
    start = models.DateField("From")
    end = models.DateField("To")
    introduction = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    learning = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    impact = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    delays = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    priorities = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    published_render = models.ForeignKey(RenderRecord, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[Any] = YearlyReportQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = staticmethod(_narrative_for_managers_only)

    class Meta:
        ordering = ["-end", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                              name="yearly_report_period_in_order")]

    def __str__(self) -> str:
        return self.title


class YearlyLeakCheck(models.Model):
    """The leak check of one PDF of a yearly report (``after`` step of its render)."""

    report = models.ForeignKey(YearlyReport, on_delete=models.PROTECT, related_name="checks")
    render = models.OneToOneField(RenderRecord, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)
    pages = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True, help_text="The text read back from the PDF.")
    hits = models.JSONField(default=list, blank=True,
                            help_text="Each hit: page, kind, matched text, whose, context.")
    error = models.CharField(max_length=500, blank=True)

    objects: ClassVar[Any] = YearlyLeakCheckQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # read by business managers alone (its scope)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"Leak check of render {self.render_id}"

    @property
    def is_clean(self) -> bool:
        return not self.error and not self.hits
