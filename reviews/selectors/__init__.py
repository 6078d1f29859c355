"""Reads for the reviews app, already narrowed to what the user may see.

One module per sub-domain; this package re-exports their ``__all__`` so
``from reviews.selectors import dashboard_reviews`` works wherever it lives:

- ``lists`` — the dashboard and its CSV, the board's figures
- ``tasks`` — each person's tasks (the home page), one selector per role
- ``lifecycle`` — days in stage, the moves a review page offers
- ``history`` — a review's merged history, each record through its own scope
- ``evidence`` — the evidence grid, a request's states and answer, version comparison
- ``register`` — the pseudonym register for the anonymiser (``review_register``), and text
  as a person may read it (``text_shown_to``)
- ``chronology`` — the merged chronology, its filters, exports and timeline
- ``meetings`` — a meeting's page, the family involvement log
- ``analysis`` — findings, lines of enquiry, recommendation warnings, learning across reviews
- ``report`` — the draft report, versions and their comparison, sign-off
"""

from reviews.selectors.analysis import *  # noqa: F403
from reviews.selectors.analysis import __all__ as _analysis
from reviews.selectors.chronology import *  # noqa: F403
from reviews.selectors.chronology import __all__ as _chronology
from reviews.selectors.evidence import *  # noqa: F403
from reviews.selectors.evidence import __all__ as _evidence
from reviews.selectors.history import *  # noqa: F403
from reviews.selectors.history import __all__ as _history
from reviews.selectors.lifecycle import *  # noqa: F403
from reviews.selectors.lifecycle import __all__ as _lifecycle
from reviews.selectors.lists import *  # noqa: F403
from reviews.selectors.lists import __all__ as _lists
from reviews.selectors.meetings import *  # noqa: F403
from reviews.selectors.meetings import __all__ as _meetings
from reviews.selectors.register import *  # noqa: F403
from reviews.selectors.register import __all__ as _register
from reviews.selectors.report import *  # noqa: F403
from reviews.selectors.report import __all__ as _report
from reviews.selectors.tasks import *  # noqa: F403
from reviews.selectors.tasks import __all__ as _tasks

__all__ = [*_analysis, *_chronology, *_evidence, *_history, *_lifecycle, *_lists, *_meetings,
           *_register, *_report, *_tasks]
