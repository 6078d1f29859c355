"""Writes about people, one module per sub-domain: ``people`` (people, agencies, roles,
invitations) and ``account`` (second factors, passwords, sign-in's access log). This package
re-exports ``people``'s services, so callers write ``from agencies import services``."""

from agencies.services.people import *  # noqa: F403
from agencies.services.people import __all__ as _people

__all__ = [*_people]
