"""The reviews app's models, one module per sub-domain (as NetBox's ``dcim/models/``).

Each module declares ``__all__``; this package re-exports them, so
``from reviews.models import Review`` works wherever a model lives:

- ``base`` — ``ReviewRecord`` (scope + history for every record of a review), date rules
- ``lifecycle`` — the review, stages, involved agencies, stage changes, grants
- ``register`` — subjects and their pseudonyms
- ``panel`` — terms of reference and panel appointments
- ``clocks`` — parallel processes, clock pauses, delay explanations
- ``evidence`` — evidence requests
- ``chronology`` — chronology entries, submissions, episodes
- ``meetings`` — meetings, attendees, actions, minutes, learning-event feedback
- ``family`` — the family involvement log
- ``analysis`` — themes, findings and their evidence, recommendations
- ``report`` — sections, versions, snapshots, comments, sign-off, the board's response
- ``publication`` — leak checks and hits, the publication record, takedown decisions
- ``publication`` — leak checks and hits, the publication record, takedown decisions
"""

from .analysis import *  # noqa: F403
from .analysis import __all__ as _analysis
from .base import *  # noqa: F403
from .base import __all__ as _base
from .chronology import *  # noqa: F403
from .chronology import __all__ as _chronology
from .clocks import *  # noqa: F403
from .clocks import __all__ as _clocks
from .evidence import *  # noqa: F403
from .evidence import __all__ as _evidence
from .family import *  # noqa: F403
from .family import __all__ as _family
from .lifecycle import *  # noqa: F403
from .lifecycle import __all__ as _lifecycle
from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings
from .panel import *  # noqa: F403
from .panel import __all__ as _panel
from .publication import *  # noqa: F403  # noqa: F403
from .publication import __all__ as _publication
from .register import *  # noqa: F403
from .register import __all__ as _register
from .report import *  # noqa: F403
from .report import __all__ as _report

__all__ = [*_base, *_lifecycle, *_register, *_panel, *_clocks, *_evidence, *_chronology,
           *_meetings, *_family, *_analysis, *_report, *_publication]
