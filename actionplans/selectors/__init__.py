"""Reads for action plans, already narrowed to what the person may see:

- ``plans`` — the plan page, an action's page, a person's actions and tasks, the closure guard
- ``board`` — the board's counts (no names)
- ``digests`` — what each person's daily digest lists
- ``evidence`` — the one read of evidence requests (the digest's), to switch when they change
"""

from .board import *  # noqa: F403
from .board import __all__ as _board
from .digests import *  # noqa: F403
from .digests import __all__ as _digests
from .evidence import *  # noqa: F403
from .evidence import __all__ as _evidence
from .plans import *  # noqa: F403
from .plans import __all__ as _plans

__all__ = [*_board, *_digests, *_evidence, *_plans]
