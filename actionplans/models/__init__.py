"""The actionplans app's models, one module per sub-domain (as reviews/models/):

- ``plans`` — action plans, actions, milestones, progress, target date changes, evidence
  of impact, monitoring reviews
- ``measures`` — measured impact: baselines and measurements of each action's success measure
- ``reminders`` — digests as sent, reminder pauses, agencies' senior leads
- ``national`` — national reports' recommendations mapped to local actions
"""

from actionplans.models.measures import *  # noqa: F403
from actionplans.models.measures import __all__ as _measures
from actionplans.models.national import *  # noqa: F403
from actionplans.models.national import __all__ as _national
from actionplans.models.plans import *  # noqa: F403
from actionplans.models.plans import __all__ as _plans
from actionplans.models.reminders import *  # noqa: F403
from actionplans.models.reminders import __all__ as _reminders

__all__ = [*_plans, *_measures, *_reminders, *_national]
