"""The agencies app's forms: ``people`` (people management) and ``account`` (your own
account). Re-exported here: ``from agencies.forms import SignInForm``."""

from agencies.forms.account import *  # noqa: F403
from agencies.forms.account import __all__ as _account
from agencies.forms.people import *  # noqa: F403
from agencies.forms.people import __all__ as _people

__all__ = [*_account, *_people]
