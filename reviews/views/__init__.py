"""Review pages, one module per sub-domain (as Zulip's ``zerver/views/``). Thin: scope
through ``for_user``, a form, one service call.

``reviews/urls.py`` names every view through this package's re-exports:

- ``lists`` — the dashboard, its CSV export, the board
- ``lifecycle`` — the overview and history, referral, stage records, moves
- ``register`` — the people page and the pseudonym register
- ``panel`` — the panel page, terms of reference, appointments
- ``clocks`` — the clocks page, parallel processes, pauses, delays
- ``evidence`` — the evidence page and evidence requests
- ``publication`` — report and publication dates
- ``chronology`` — an agency's chronology, the merged chronology, exports, episodes
- ``meetings`` — meetings, learning-event feedback, the family involvement log
- ``analysis`` — findings, evidence links, recommendations, themes
- ``report`` — the draft, the section editor, versions, comments, sign-off, board response
- ``base`` — a section page of a review; a form about one review
"""

from reviews.views.analysis import *  # noqa: F403
from reviews.views.analysis import __all__ as _analysis
from reviews.views.briefings import *  # noqa: F403
from reviews.views.briefings import __all__ as _briefings
from reviews.views.chronology import *  # noqa: F403
from reviews.views.chronology import __all__ as _chronology
from reviews.views.clocks import *  # noqa: F403
from reviews.views.clocks import __all__ as _clocks
from reviews.views.evidence import *  # noqa: F403
from reviews.views.evidence import __all__ as _evidence
from reviews.views.lifecycle import *  # noqa: F403
from reviews.views.lifecycle import __all__ as _lifecycle
from reviews.views.lists import *  # noqa: F403
from reviews.views.lists import __all__ as _lists
from reviews.views.meetings import *  # noqa: F403
from reviews.views.meetings import __all__ as _meetings
from reviews.views.national import *  # noqa: F403
from reviews.views.national import __all__ as _national
from reviews.views.panel import *  # noqa: F403
from reviews.views.panel import __all__ as _panel
from reviews.views.publication import *  # noqa: F403
from reviews.views.publication import __all__ as _publication
from reviews.views.register import *  # noqa: F403
from reviews.views.register import __all__ as _register
from reviews.views.report import *  # noqa: F403
from reviews.views.report import __all__ as _report

__all__ = [*_clocks, *_evidence, *_lifecycle, *_lists, *_panel, *_publication, *_register,
           *_chronology, *_meetings, *_analysis, *_report, *_briefings, *_national]
