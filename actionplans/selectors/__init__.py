"""Reads for action plans, already narrowed to what the person may see:

- ``plans`` — the plan page, an action's page, a person's actions and tasks, the closure guard
- ``board`` — the board's counts (no names)
- ``measures`` — measured impact: series, movement, the plan's closure summary, unmoved
  recommendations
- ``figures`` — the figures of a reporting period (the yearly report and the board's)
- ``digests`` — what each person's daily digest lists
- ``evidence`` — the one read of evidence requests (the digest's), to switch when they change
"""

from actionplans.selectors.board import *  # noqa: F403
from actionplans.selectors.board import __all__ as _board
from actionplans.selectors.digests import *  # noqa: F403
from actionplans.selectors.digests import __all__ as _digests
from actionplans.selectors.evidence import *  # noqa: F403
from actionplans.selectors.evidence import __all__ as _evidence
from actionplans.selectors.figures import *  # noqa: F403
from actionplans.selectors.figures import __all__ as _figures
from actionplans.selectors.measures import *  # noqa: F403
from actionplans.selectors.measures import __all__ as _measures
from actionplans.selectors.plans import *  # noqa: F403
from actionplans.selectors.plans import __all__ as _plans

__all__ = [*_board, *_figures, *_digests, *_evidence, *_measures, *_plans]
