"""Writes to action plans, one module per sub-domain (as reviews/services/):

- ``actions`` — actions, milestones, progress, target dates, evidence of impact,
  verification, return and closure
- ``measures`` — measured impact: baselines and measurements of success measures
- ``plans`` — monitoring reviews and the board's sign-off of a plan's closure
- ``imports`` — importing a plan from a spreadsheet
- ``national`` — national reports' recommendations mapped to local actions
- ``reminders`` — daily digests (exactly once), reminder pauses, senior leads
"""

from actionplans.services.actions import *  # noqa: F403
from actionplans.services.actions import __all__ as _actions
from actionplans.services.imports import *  # noqa: F403
from actionplans.services.imports import __all__ as _imports
from actionplans.services.measures import *  # noqa: F403
from actionplans.services.measures import __all__ as _measures
from actionplans.services.national import *  # noqa: F403
from actionplans.services.national import __all__ as _national
from actionplans.services.plans import *  # noqa: F403
from actionplans.services.plans import __all__ as _plans
from actionplans.services.reminders import *  # noqa: F403
from actionplans.services.reminders import __all__ as _reminders

__all__ = [*_actions, *_imports, *_measures, *_plans, *_reminders, *_national]
