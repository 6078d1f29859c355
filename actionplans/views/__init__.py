"""The action-plan pages, one module per sub-domain (as reviews/views/):

- ``plans`` — a review's plan, monitoring reviews, the board's sign-off, exports, import
- ``actions`` — an action and its updates, verification, evidence download
- ``board`` — the board's view of action plans, a person's actions
- ``figures`` — a reporting period's figures and the records behind each
- ``measures`` — measured impact: baselines, measurements, their chart
- ``national`` — national reports' recommendations and the local actions mapped to them
- ``reminders`` — reminders sent, pauses, senior leads
"""

from actionplans.views.actions import *  # noqa: F403
from actionplans.views.actions import __all__ as _actions
from actionplans.views.board import *  # noqa: F403
from actionplans.views.board import __all__ as _board
from actionplans.views.figures import *  # noqa: F403
from actionplans.views.figures import __all__ as _figures
from actionplans.views.measures import *  # noqa: F403
from actionplans.views.measures import __all__ as _measures
from actionplans.views.national import *  # noqa: F403
from actionplans.views.national import __all__ as _national
from actionplans.views.plans import *  # noqa: F403
from actionplans.views.plans import __all__ as _plans
from actionplans.views.reminders import *  # noqa: F403
from actionplans.views.reminders import __all__ as _reminders

__all__ = [*_actions, *_board, *_figures, *_measures, *_plans, *_reminders, *_national]
