from django.conf import settings
from django.http import HttpRequest


def partnership(request: HttpRequest) -> dict[str, object]:
    """The partnership's name, vocabulary and public contact block, on every page."""
    vocabulary = settings.REVIEW_VOCABULARY
    return {
        "partnership_name": settings.PARTNERSHIP_NAME,
        "review_term": vocabulary,
        "review_term_long": (
            "Serious Case Review"
            if vocabulary == "SCR"
            else "Local Child Safeguarding Practice Review"
        ),
        "phase_banner": settings.PHASE_BANNER,
        # Demo accounts can sign in (without a second factor): every page says so.
        "demo_mode": bool(settings.DEMO_MODE),
        "contact": {
            "front_door": settings.CONTACT_FRONT_DOOR,
            "out_of_hours": settings.CONTACT_OUT_OF_HOURS,
            "lado": settings.CONTACT_LADO,
        },
    }


def notifications(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's unread notifications, counted for the header (one query)."""
    from scr.models import Notification

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
