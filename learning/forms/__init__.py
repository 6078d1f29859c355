"""Forms of the learning app: ``yearly`` — starting a yearly report, a narrative section,
publishing it."""

from learning.forms.yearly import *  # noqa: F403
from learning.forms.yearly import __all__ as _yearly

__all__ = [*_yearly]
