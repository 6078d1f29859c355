"""The learning pages: ``yearly`` — the yearly reports, their figures, narrative, exports and
PDF; ``themes`` — themes across reviews."""

from learning.views.themes import *  # noqa: F403
from learning.views.themes import __all__ as _themes
from learning.views.yearly import *  # noqa: F403
from learning.views.yearly import __all__ as _yearly

__all__ = [*_themes, *_yearly]
