"""Reads for the reviews app, already narrowed to what the user may see.

One module per sub-domain; this package re-exports their ``__all__`` so
``from reviews.selectors import dashboard_reviews`` works wherever it lives:

- ``lists`` — the dashboard and its CSV, the board's figures, each person's tasks
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

from .analysis import *  # noqa: F403
from .analysis import __all__ as _analysis
from .chronology import *  # noqa: F403
from .chronology import __all__ as _chronology
from .evidence import *  # noqa: F403
from .evidence import __all__ as _evidence
from .history import *  # noqa: F403
from .history import __all__ as _history
from .lifecycle import *  # noqa: F403
from .lifecycle import __all__ as _lifecycle
from .lists import *  # noqa: F403
from .lists import __all__ as _lists
from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings
from .register import *  # noqa: F403
from .register import __all__ as _register
from .report import *  # noqa: F403
from .report import __all__ as _report

__all__ = [*_analysis, *_chronology, *_evidence, *_history, *_lifecycle, *_lists, *_meetings,
           *_register, *_report]
