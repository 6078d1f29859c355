from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def demo_logins_enabled() -> bool:
    return bool(settings.DEBUG or settings.DEMO_MODE)


class DemoAwareModelBackend(ModelBackend):
    """The model backend, except that demo accounts sign in only in DEBUG or DEMO_MODE.

    Their passwords are published in the README, so on a real deployment they
    must be dead even if someone ran seed_demo there.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not demo_logins_enabled():
            return False
        return super().user_can_authenticate(user)
