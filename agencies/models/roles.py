"""The roles a person holds through a membership, and what each may do.

One place says what each role can do; views and querysets ask here rather than
testing role names themselves.
"""

from __future__ import annotations

from django.db import models

__all__ = ["ROLES_NEEDING_AGENCY", "ROLES_WITH_IDENTIFIABLE_ACCESS", "Role"]


class Role(models.TextChoices):
    BUSINESS_MANAGER = "business_manager", "Business manager"
    REVIEWER = "reviewer", "Independent reviewer"
    PANEL_MEMBER = "panel_member", "Panel member"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    BOARD_MEMBER = "board_member", "Board member"


# The order in which a person's "main" role is chosen when they hold several.
ROLE_PRECEDENCE: tuple[str, ...] = (
    Role.BUSINESS_MANAGER,
    Role.REVIEWER,
    Role.PANEL_MEMBER,
    Role.AGENCY_LEAD,
    Role.BOARD_MEMBER,
)

# Roles that must name the agency the person represents.
ROLES_NEEDING_AGENCY = frozenset({Role.PANEL_MEMBER, Role.AGENCY_LEAD})

# Roles that may ever see real identities of people in a case (DOMAIN.md).
# Board members never do, whatever else they hold.
ROLES_WITH_IDENTIFIABLE_ACCESS = frozenset(
    {Role.BUSINESS_MANAGER, Role.REVIEWER, Role.PANEL_MEMBER, Role.AGENCY_LEAD}
)
