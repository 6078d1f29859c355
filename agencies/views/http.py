"""``AuthenticatedHttpRequest`` with the project's ``User`` (defined in scr/http.py, so that
scr's own views and helpers take the same type)."""

from scr.http import AuthenticatedHttpRequest

__all__ = ["AuthenticatedHttpRequest"]
