"""Refuse passwords known from breaches, checked on this machine (no network).

The list is the 30,000 most common passwords of the leaked-password corpus that the
maintained ``zxcvbn`` package ships (its ``passwords`` frequency list, from Xato's ten
million leaked passwords), on top of Django's own 20,000 (``CommonPasswordValidator``).
``zxcvbn``'s own matchers also catch the list's entries written backwards or with look-alike
digits and symbols ("w3bs0lut10ns"). Nothing is sent anywhere: a breach-checking web service
would learn (a prefix of the hash of) every password chosen here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import matching

DICTIONARY = "passwords"


def is_breached(password: str) -> bool:
    """Is the whole password an entry of the leaked list (any case, reversed or l33t)?"""
    whole = len(password) - 1
    lowered = password.lower()
    finders = (matching.dictionary_match, matching.reverse_dictionary_match,
               matching.l33t_match)
    return any(m["dictionary_name"] == DICTIONARY and m["i"] == 0 and m["j"] == whole
               for find in finders for m in find(lowered))


class BreachedPasswordValidator:
    """A Django password validator (``AUTH_PASSWORD_VALIDATORS``)."""

    message = ("This password has appeared in a data breach, so it is one of the first that "
               "attackers try. Choose a different password")

    def validate(self, password: str, user: Any = None) -> None:
        if is_breached(password):
            raise ValidationError(self.message, code="password_breached")

    def get_help_text(self) -> str:
        return "Your password must not be one that has appeared in a data breach."


def context_words() -> list[str]:
    """Words an attacker would try first here (ASVS 5.0 6.1.2, 6.2.11): the partnership's
    name, the service's vocabulary and ``PASSWORD_CONTEXT_WORDS``; five letters or more."""
    from django.conf import settings

    text = " ".join([settings.PARTNERSHIP_NAME, *settings.PASSWORD_CONTEXT_WORDS])
    words = {w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split()
             if len(w) >= 5}
    return sorted(words)


class ContextWordsValidator:
    """Refuses a password that contains a word of the documented context list."""

    def validate(self, password: str, user: Any = None) -> None:
        plain = password.lower()
        found = next((w for w in context_words() if w in plain), None)
        if found is not None:
            raise ValidationError(
                f"Your password must not contain “{found}”: words about this partnership and "
                "service are among the first that attackers try", code="password_context")

    def get_help_text(self) -> str:
        return "Your password must not contain the partnership's name or words about the service."
