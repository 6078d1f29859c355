"""People and the agencies they work for.

``User`` is the project's auth model from the first migration. A person holds
roles through ``Membership`` rows (agency, role, active from/to); a membership
with no agency is a role held for the partnership as a whole (its business
unit, the board, independent reviewers).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models.roles import ROLE_PRECEDENCE, ROLES_NEEDING_AGENCY, Role
from agencies.models.scope import agencies_for, memberships_for, users_for
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.text import looks_mixed, normalise_text, skeleton

__all__ = ["Agency", "AgencyQuerySet", "Membership", "MembershipQuerySet", "ScopedUserManager", "User"]


class ScopedUserManager(UserManager["User"]):
    def for_user(self, user: User, action: Action = "view") -> models.QuerySet[User]:
        return users_for(user, action, self.get_queryset())


class User(AbstractUser):  # type: ignore[django-manager-missing]  # BackupCodeDevice.user: django-otp untyped
    """A person who signs in. Never deleted: deactivate instead."""

    is_demo = models.BooleanField(
        default=False,
        help_text="Demo account: can sign in only when DEBUG or DEMO_MODE is on.",
    )
    job_title = models.CharField(max_length=150, blank=True)
    # When a business manager last removed this person's second factor (agencies/services/account.py).
    second_factor_reset_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean_fields(self, exclude: Any = None) -> None:
        """Names and usernames in one normal form (scr/text.py) before they are validated."""
        self.username = normalise_text(self.username or "").replace(" ", "")
        self.first_name = normalise_text(self.first_name or "")
        self.last_name = normalise_text(self.last_name or "")
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        """A username that imitates another (mixed scripts, or the same letters in
        look-alike characters) is refused."""
        super().clean()
        if looks_mixed(self.username):
            raise ValidationError({"username": "Use one alphabet for the username: it mixes "
                                               "letters that look alike from different scripts"})
        mine = skeleton(self.username)
        others = User.objects.exclude(pk=self.pk).values_list("username", flat=True)
        clash = next((other for other in others.iterator() if skeleton(other) == mine), None)
        if clash is not None:
            raise ValidationError({"username": f"This username looks the same as “{clash}”, "
                                               "which is taken: choose another"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Signing in updates only ``last_login``: that is not a change to record (it would
        bury the real changes in history), so such a save skips the history row."""
        if set(kwargs.get("update_fields") or ()) == {"last_login"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    def active_memberships(self, on: date | None = None) -> list[Membership]:
        """Memberships in force today, cached on the instance for the request.

        Board members never see identifiable data, whatever else they hold: while a board
        membership is in force it is the only one that counts (roles, agencies, grants), so
        an account that also holds an identifiable role acts as a board member only. Giving
        such a mix is refused (``membership_create``); board work needs its own account.
        """
        on = on or timezone.localdate()
        cache = getattr(self, "_active_memberships", None)
        if cache is None or cache[0] != on:
            rows = list(Membership.objects.active(on).filter(user=self).select_related("agency"))
            board = [m for m in rows if m.role == Role.BOARD_MEMBER]
            cache = (on, board or rows)
            self._active_memberships = cache
        return cache[1]

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def agency_ids(self, *roles: str) -> set[int]:
        return {
            m.agency_id
            for m in self.active_memberships()
            if m.agency_id and (not roles or m.role in roles)
        }

    @property
    def main_role(self) -> str | None:
        held = self.roles()
        return next((r for r in ROLE_PRECEDENCE if r in held), None)

    @property
    def main_role_label(self) -> str:
        role = self.main_role
        if role:
            return Role(role).label
        return "Administrator" if self.is_staff else "No role"


class AgencyQuerySet(models.QuerySet["Agency"]):
    def for_user(self, user: User, action: Action = "view") -> models.QuerySet[Agency]:
        return agencies_for(user, action, self)


class Agency(models.Model):
    """An organisation whose work a review looks at (police, health, ...)."""

    class Kind(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        PROBATION = "probation", "Probation"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    # The guardian group through which review-level grants reach every lead of the agency.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency",
                                 null=True, blank=True, editable=False)

    objects = AgencyQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.group_id is None:
            self.group, _ = Group.objects.get_or_create(name=f"agency:{self.name}")
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: date | None = None) -> MembershipQuerySet:
        """In force on ``on``: started, not ended, the person active, and the agency (if any)
        not deactivated: deactivating an agency ends its people's access at once."""
        on = on or timezone.localdate()
        return self.filter(
            Q(active_from__lte=on) & (Q(active_to__isnull=True) | Q(active_to__gte=on)),
            Q(agency__isnull=True) | Q(agency__is_active=True),
            user__is_active=True,
        )

    def for_user(self, user: User, action: Action = "view") -> models.QuerySet[Membership]:
        return memberships_for(user, action, self)


class Membership(models.Model):
    """A person's role, for an agency or for the partnership, over a period."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships",
                               null=True, blank=True,
                               help_text="Leave empty for a role held for the partnership.")
    role = models.CharField(max_length=30, choices=Role.choices)
    active_from = models.DateField(default=timezone.localdate)
    active_to = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["user__last_name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.name if self.agency is not None else "the partnership"
        return f"{self.user} – {self.get_role_display()} ({where})"

    def clean(self) -> None:
        if self.role in ROLES_NEEDING_AGENCY and not self.agency_id:
            raise ValidationError({"agency": "Choose the agency this person represents."})
        if self.active_to and self.active_from and self.active_to < self.active_from:
            raise ValidationError({"active_to": "A role cannot end before it started."})


# ---------------------------------------------------------------- backup codes










