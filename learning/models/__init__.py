"""The learning app's models (issue 21): ``yearly`` — the yearly report of a reporting period
(its narrative sections, with history) and the leak check of each of its PDFs. The themes
page reads the reviews' own themes and findings (``reviews.models.analysis``)."""

from learning.models.yearly import *  # noqa: F403
from learning.models.yearly import __all__ as _yearly

__all__ = [*_yearly]
