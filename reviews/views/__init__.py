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

from .analysis import *  # noqa: F403
from .analysis import __all__ as _analysis
from .chronology import *  # noqa: F403
from .chronology import __all__ as _chronology
from .clocks import *  # noqa: F403
from .clocks import __all__ as _clocks
from .evidence import *  # noqa: F403
from .evidence import __all__ as _evidence
from .lifecycle import *  # noqa: F403
from .lifecycle import __all__ as _lifecycle
from .lists import *  # noqa: F403
from .lists import __all__ as _lists
from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings
from .panel import *  # noqa: F403
from .panel import __all__ as _panel
from .publication import *  # noqa: F403
from .publication import __all__ as _publication
from .register import *  # noqa: F403
from .register import __all__ as _register
from .report import *  # noqa: F403
from .report import __all__ as _report

__all__ = [*_clocks, *_evidence, *_lifecycle, *_lists, *_panel, *_publication, *_register,
           *_chronology, *_meetings, *_analysis, *_report]
