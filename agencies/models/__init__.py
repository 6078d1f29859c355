"""The agencies app's models, one module per sub-domain (as ``reviews.models``):

- ``people`` — users, agencies and memberships (the roles a person holds)
- ``account`` — second factors: backup codes (TOTP devices are django-otp's)
- ``roles`` — the roles and what each may do
- ``scope`` — who may see which people, memberships and agencies (``for_user``)

Each module declares ``__all__``; this package re-exports them.
"""

from agencies.models.account import *  # noqa: F403
from agencies.models.account import __all__ as _account
from agencies.models.people import *  # noqa: F403
from agencies.models.people import __all__ as _people
from agencies.models.roles import *  # noqa: F403
from agencies.models.roles import __all__ as _roles

__all__ = [*_people, *_account, *_roles]
