"""Commissioning a review: its terms of reference and its panel (reviewer, chair, members)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from reviews.models.base import ReviewRecord, check_dates
from reviews.models.lifecycle import Review
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH

__all__ = [
    "PanelAppointment",
    "TermsOfReference",
]


class TermsOfReference(ReviewRecord):
    """One version of the terms of reference; a new version is a new row."""

    class Method(models.TextChoices):
        FULL = "full", "Full review"
        SYSTEMS = "systems", "Systems review (SCIE Learning Together)"
        LEARNING = "learning", "Learning review"
        APPRECIATIVE = "appreciative", "Appreciative inquiry"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="terms")
    version = models.PositiveIntegerField()
    scope_start = models.DateField()
    scope_end = models.DateField()
    key_lines_of_enquiry = models.TextField(max_length=NARRATIVE_LENGTH)
    method = models.CharField(max_length=20, choices=Method.choices)
    agencies_in_scope = models.ManyToManyField(Agency, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    _history_m2m_fields = ["agencies_in_scope"]  # the history keeps who was in scope

    class Meta:
        ordering = ["review", "-version"]
        constraints = [models.UniqueConstraint(fields=["review", "version"],
                                               name="one_terms_version")]
        verbose_name_plural = "terms of reference"

    def __str__(self) -> str:
        return f"Terms of reference v{self.version}"

    def clean(self) -> None:
        check_dates(self, order=(("scope_end", "scope_start",
                                  "The end of the scope period must be on or after its start"),))


class PanelAppointment(ReviewRecord):
    class PanelRole(models.TextChoices):
        CHAIR = "chair", "Chair"
        REVIEWER = "reviewer", "Independent reviewer"
        MEMBER = "member", "Panel member"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="panel_appointments")
    panel_role = models.CharField(max_length=20, choices=PanelRole.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", help_text="The agency a panel member represents.")
    independence_declaration = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH)
    appointed_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["panel_role", "appointed_on"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user", "panel_role"],
                                    condition=Q(ended_on__isnull=True),
                                    name="one_current_appointment_per_role"),
            models.UniqueConstraint(fields=["review", "agency"],
                                    condition=Q(ended_on__isnull=True, panel_role="member"),
                                    name="one_panel_member_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.get_panel_role_display()}: {self.user}"

    def clean(self) -> None:
        check_dates(self, past_only=("appointed_on", "ended_on"),
                    order=(("ended_on", "appointed_on", "An appointment cannot end before it "
                                                        "started"),))
