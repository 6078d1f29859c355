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
- ``history`` — the review's timeline: an index of every version of its records, in order
- ``briefings`` — learning briefings, their recipients, dissemination and feedback
- ``national`` — the national Panel's reply and national reviews
"""

from reviews.models.analysis import *  # noqa: F403
from reviews.models.analysis import __all__ as _analysis
from reviews.models.base import *  # noqa: F403
from reviews.models.base import __all__ as _base
from reviews.models.briefings import *  # noqa: F403
from reviews.models.briefings import __all__ as _briefings
from reviews.models.chronology import *  # noqa: F403
from reviews.models.chronology import __all__ as _chronology
from reviews.models.clocks import *  # noqa: F403
from reviews.models.clocks import __all__ as _clocks
from reviews.models.evidence import *  # noqa: F403
from reviews.models.evidence import __all__ as _evidence
from reviews.models.family import *  # noqa: F403
from reviews.models.family import __all__ as _family
from reviews.models.history import *  # noqa: F403
from reviews.models.history import __all__ as _history
from reviews.models.lifecycle import *  # noqa: F403
from reviews.models.lifecycle import __all__ as _lifecycle
from reviews.models.meetings import *  # noqa: F403
from reviews.models.meetings import __all__ as _meetings
from reviews.models.national import *  # noqa: F403
from reviews.models.national import __all__ as _national
from reviews.models.panel import *  # noqa: F403
from reviews.models.panel import __all__ as _panel
from reviews.models.publication import *  # noqa: F403  # noqa: F403
from reviews.models.publication import __all__ as _publication
from reviews.models.register import *  # noqa: F403
from reviews.models.register import __all__ as _register
from reviews.models.report import *  # noqa: F403
from reviews.models.report import __all__ as _report

__all__ = [*_base, *_lifecycle, *_register, *_panel, *_clocks, *_evidence, *_chronology,
           *_meetings, *_family, *_analysis, *_report, *_publication, *_history,
           *_briefings, *_national]
