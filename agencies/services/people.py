"""Writes about people, agencies and memberships: one transaction each, with history.

Public services are durable (the outermost transaction, as in ``reviews.services``), so
the invitation queued with ``on_commit`` goes once, after the commit; a service that
another composes has a private, savepoint-free part (``_create_membership``)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Membership, User
from agencies.models.roles import ROLES_WITH_IDENTIFIABLE_ACCESS, Role
from agencies.services.account import queue_account_notice
from scr.history import save_with_history
from scr.outbox import enqueue
from scr.rules import fresh_locked, require_reason

__all__ = [
    "agency_create",
    "agency_update",
    "membership_create",
    "membership_end",
    "user_deactivate",
    "user_invite",
    "user_reactivate",
    "user_update",
]


@transaction.atomic(durable=True)
def agency_create(*, by: User | None, name: str, kind: str, reason: str = "Agency added") -> Agency:
    return save_with_history(Agency(name=name, kind=kind), by=by, reason=reason)


@transaction.atomic(durable=True)
def agency_update(*, by: User, agency: Agency, name: str, kind: str, is_active: bool,
                  reason: str) -> Agency:
    reason = require_reason(reason)
    stored = fresh_locked(agency)
    stored.name, stored.kind, stored.is_active = name, kind, is_active
    stored.full_clean(exclude=["group"])
    save_with_history(stored, by=by, reason=reason)
    agency.refresh_from_db()
    return agency


@transaction.atomic(durable=True)
def membership_create(*, by: User | None, user: User, role: str, agency: Agency | None,
                      active_from: date | None = None, active_to: date | None = None,
                      reason: str = "Role given") -> Membership:
    """Give a role; the person is told by e-mail."""
    return _create_membership(by=by, user=user, role=role, agency=agency,
                              active_from=active_from, active_to=active_to, reason=reason)


@transaction.atomic(savepoint=False)
def _create_membership(*, by: User | None, user: User, role: str, agency: Agency | None,
                       active_from: date | None = None, active_to: date | None = None,
                       reason: str, notify: bool = True) -> Membership:
    """``membership_create`` inside the caller's transaction. The person is told by e-mail
    (``notify``; not for the role an invitation gives, which the invitation itself
    announces, nor for system changes with no ``by``)."""
    reason = require_reason(reason)
    membership = Membership(user=user, role=role, agency=agency,
                            active_from=active_from or timezone.localdate(), active_to=active_to)
    membership.full_clean()
    _refuse_board_with_identifiable_roles(user, role, membership)
    save_with_history(membership, by=by, reason=reason)
    where = f" for {agency}" if agency is not None else ""
    if notify and by is not None:
        queue_account_notice(user, f"You were given the role {membership.get_role_display()}"
                                   f"{where}, from {membership.active_from:%d %B %Y}.")
    return membership


def _refuse_board_with_identifiable_roles(user: User, role: str, membership: Membership) -> None:
    """Board members never see identifiable data: a board member and someone who sees real
    names (business manager, reviewer, panel member, agency lead) are separate accounts.
    The scope rules enforce it too (a board membership in force wins: ``active_memberships``)."""
    others = Membership.objects.filter(user=user).exclude(pk=membership.pk)
    end = membership.active_to
    overlapping = others.filter(Q(active_to__isnull=True) | Q(active_to__gte=membership.active_from))
    if end is not None:
        overlapping = overlapping.filter(active_from__lte=end)
    if role == Role.BOARD_MEMBER:
        clash = overlapping.filter(role__in=ROLES_WITH_IDENTIFIABLE_ACCESS).exists()
    else:
        clash = (role in ROLES_WITH_IDENTIFIABLE_ACCESS
                 and overlapping.filter(role=Role.BOARD_MEMBER).exists())
    if clash:
        raise ValidationError({"role": "Board members never see identifiable case data, so a "
                                       "board role and this role cannot be held by one account. "
                                       "Invite a separate account for the board role"})


@transaction.atomic(durable=True)
def membership_end(*, by: User, membership: Membership, on: date | None = None,
                   reason: str) -> Membership:
    """End a role (it stays in the record): access through it stops the day after ``on``."""
    reason = require_reason(reason)
    stored = fresh_locked(membership)
    stored.active_to = on or timezone.localdate()
    stored.full_clean()  # the model's clean() refuses an end before the start
    save_with_history(stored, by=by, reason=reason)
    queue_account_notice(stored.user, f"Your role {stored.get_role_display()} ends on "
                                      f"{stored.active_to:%d %B %Y}.")
    membership.refresh_from_db()
    return membership


@transaction.atomic(durable=True)
def user_invite(*, by: User | None, username: str, email: str, first_name: str, last_name: str,
                role: str, agency: Agency | None, job_title: str = "",
                reason: str = "Invited") -> User:
    """Create an account with no usable password and e-mail a link to set one."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                job_title=job_title)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    save_with_history(user, by=by, reason=reason)
    _create_membership(by=by, user=user, role=role, agency=agency, reason=reason, notify=False)
    _queue_invitation(user.pk)
    return user


def _queue_invitation(user_id: int) -> None:
    enqueue("agencies.tasks.send_invitation", user_id)




@transaction.atomic(durable=True)
def user_update(*, by: User, user: User, first_name: str, last_name: str, email: str,
                job_title: str, reason: str) -> User:
    reason = require_reason(reason)
    stored = fresh_locked(user)
    old_email = stored.email
    stored.first_name, stored.last_name, stored.email, stored.job_title = (
        first_name, last_name, email, job_title)
    stored.full_clean(exclude=["password"])
    save_with_history(stored, by=by, reason=reason)
    if old_email.lower() != stored.email.lower():
        # To the old address: a takeover by changing the address cannot go unseen.
        queue_account_notice(stored, f"{by} changed the e-mail address of your account from "
                                     f"{old_email} to {stored.email} (reason: {reason}).",
                             to=old_email)
    user.refresh_from_db()
    return user


@transaction.atomic(durable=True)
def user_deactivate(*, by: User, user: User, reason: str) -> User:
    """Deactivate an account. Its sessions end at once: an inactive user is
    never authenticated again (the auth backend refuses inactive users on
    every request), and the password hash rotates so session hashes no longer match."""
    reason = require_reason(reason)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    stored = fresh_locked(user)
    stored.is_active = False
    stored.set_unusable_password()
    save_with_history(stored, by=by, reason=reason)
    queue_account_notice(stored, f"{by} deactivated your account (reason: {reason}). You can "
                                 "no longer sign in.")
    user.refresh_from_db()
    return user


@transaction.atomic(durable=True)
def user_reactivate(*, by: User, user: User, reason: str) -> User:
    reason = require_reason(reason)
    stored = fresh_locked(user)
    stored.is_active = True
    save_with_history(stored, by=by, reason=reason)
    user.refresh_from_db()
    _queue_invitation(user.pk)
    return user
