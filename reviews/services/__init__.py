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

from ..independence import independence_conflicts, independence_problems
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
from .publication import *  # noqa: F403
from .publication import __all__ as _publication
from .register import *  # noqa: F403
from .register import __all__ as _register
from .report import *  # noqa: F403
from .report import __all__ as _report

__all__ = ["independence_conflicts", "independence_problems", *_base, *_clocks, *_evidence,
           *_lifecycle, *_panel, *_publication, *_register, *_chronology, *_meetings,
           *_family, *_analysis, *_report]

# Every effect a move declares has its service (a typo would otherwise skip it silently).
from ..workflow import TRANSITIONS as _TRANSITIONS
from .base import unregistered_effects as _unregistered_effects

if _unregistered_effects(_TRANSITIONS):
    raise ImportError(f"Transition effects with no service: {_unregistered_effects(_TRANSITIONS)}")
