"""Writes to reviews, one module per sub-domain (as Zulip's ``zerver/actions/``).

Keyword-only functions named ``<thing>_<verb>``: each validates, saves with who
and why (``scr.history``), keeps the derived clock fields in step and raises
``ValidationError``s whose messages are meant for the form. Views call these and
nothing else to change a review. This package re-exports every module's
``__all__``, so callers write ``from reviews import services;
services.review_transition(...)`` wherever the function lives:

- ``lifecycle`` — referral, involved agencies, stage records (and the report and
  publication dates), transitions
- ``clocks`` — parallel processes, pauses, delay explanations, the stored next clock
- ``register`` — the pseudonym register
- ``panel`` — terms of reference and panel appointments
- ``evidence`` — evidence requests
- ``publication`` — the report's PDFs and their leak checks, leak-hit waivers, the notice
  to the national Panel, publishing, takedown decisions
- ``chronology`` — chronology entries, import, submission, the reviewer's episodes
- ``meetings`` — meetings, attendees, actions, minutes, learning-event feedback
- ``family`` — the family involvement log
- ``analysis`` — themes, findings and their evidence, recommendations
- ``report`` — sections and versions, snapshots, comments, sign-off, the board's response
- ``base`` — helpers the modules above share (not services: not re-exported)
"""

from reviews.selectors.panel import independence_conflicts, independence_problems
from reviews.services.analysis import *  # noqa: F403
from reviews.services.analysis import __all__ as _analysis
from reviews.services.base import *  # noqa: F403
from reviews.services.base import __all__ as _base
from reviews.services.briefings import *  # noqa: F403
from reviews.services.briefings import __all__ as _briefings
from reviews.services.chronology import *  # noqa: F403
from reviews.services.chronology import __all__ as _chronology
from reviews.services.clocks import *  # noqa: F403
from reviews.services.clocks import __all__ as _clocks
from reviews.services.evidence import *  # noqa: F403
from reviews.services.evidence import __all__ as _evidence
from reviews.services.family import *  # noqa: F403
from reviews.services.family import __all__ as _family
from reviews.services.lifecycle import *  # noqa: F403
from reviews.services.lifecycle import __all__ as _lifecycle
from reviews.services.meetings import *  # noqa: F403
from reviews.services.meetings import __all__ as _meetings
from reviews.services.national import *  # noqa: F403
from reviews.services.national import __all__ as _national
from reviews.services.panel import *  # noqa: F403
from reviews.services.panel import __all__ as _panel
from reviews.services.publication import *  # noqa: F403
from reviews.services.publication import __all__ as _publication
from reviews.services.register import *  # noqa: F403
from reviews.services.register import __all__ as _register
from reviews.services.report import *  # noqa: F403
from reviews.services.report import __all__ as _report

__all__ = ["independence_conflicts", "independence_problems", *_base, *_clocks, *_evidence,
           *_lifecycle, *_panel, *_publication, *_register, *_chronology, *_meetings,
           *_family, *_analysis, *_report, *_briefings, *_national]

# Every effect a move declares has its service (a typo would otherwise skip it silently).
from reviews.services.base import unregistered_effects as _unregistered_effects
from reviews.workflow import TRANSITIONS as _TRANSITIONS

if _unregistered_effects(_TRANSITIONS):
    raise ImportError(f"Transition effects with no service: {_unregistered_effects(_TRANSITIONS)}")
