"""Reads for action plans, already narrowed to what the person may see:

- ``plans`` — the plan page, an action's page, a person's actions and tasks, the closure guard
- ``board`` — the board's counts (no names)
- ``digests`` — what each person's daily digest lists
- ``evidence`` — the one read of evidence requests (the digest's), to switch when they change
"""

from actionplans.selectors.board import *  # noqa: F403
from actionplans.selectors.board import __all__ as _board
from actionplans.selectors.digests import *  # noqa: F403
from actionplans.selectors.digests import __all__ as _digests
from actionplans.selectors.evidence import *  # noqa: F403
from actionplans.selectors.evidence import __all__ as _evidence
from actionplans.selectors.plans import *  # noqa: F403
from actionplans.selectors.plans import __all__ as _plans

__all__ = [*_board, *_digests, *_evidence, *_plans]
