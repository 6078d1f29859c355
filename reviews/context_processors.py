from django.http import HttpRequest
from django.urls import reverse

from agencies.models.roles import Role
from reviews.views.sections import SECTIONS


def navigation(request: HttpRequest) -> dict[str, object]:
    """The service navigation, by role: nobody is shown a link they cannot use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.resolver_match.url_name if request.resolver_match else ""
    review_pages = {"review_list", "review_create", "review_move", *(n for n, _ in SECTIONS)}
    items = [("review_list", "Reviews", review_pages)]
    if user.has_role(Role.AGENCY_LEAD, Role.BUSINESS_MANAGER):
        items.append(("actions_mine", "Actions", {"actions_mine", "action", "action_plan"}))
    if user.has_role(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER):
        items.append(("board", "Board dashboard", {"board"}))
        items.append(("board_actions", "Action plans", {"board_actions", "action_plan_sign_off"}))
    items.append(("reminders_mine", "Reminders", {"reminders_mine", "digest"}))
    items.append(("library", "Published reports", {"library", "publication_takedown_review"}))
    items.append(("search", "Search", {"search", "person_lookup", "person_lookup_log"}))
    if user.has_role(Role.BUSINESS_MANAGER):
        items += [("people", "People", {"people", "person", "person_invite"}),
                  ("agencies", "Agencies", {"agencies", "agency_add", "agency_edit"}),
                  ("access_log", "Access log", {"access_log"}),
                  ("sign_off_approvers", "Sign-off approvers",
                   {"sign_off_approvers", "sign_off_approver_add", "sign_off_approver_edit",
                    "sign_off_designate", "sign_off_designation_end"}),
                  ("themes", "Themes", {"themes", "theme_add", "theme_edit", "theme_delete",
                                        "themes_recurring"})]
    elif user.has_role(Role.BOARD_MEMBER):
        items.append(("themes_recurring", "Recurring themes", {"themes_recurring"}))
    return {"nav_items": [{"url": reverse(name), "label": label, "active": current in names}
                          for name, label, names in items]}
