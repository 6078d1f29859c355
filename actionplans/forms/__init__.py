"""The action plans' forms, one module per sub-domain (actions, plans, reminders), re-exported
here: ``from actionplans import forms; forms.ActionForm``."""

from actionplans.forms.actions import *  # noqa: F403
from actionplans.forms.actions import __all__ as _actions
from actionplans.forms.base import *  # noqa: F403
from actionplans.forms.base import __all__ as _base
from actionplans.forms.figures import *  # noqa: F403
from actionplans.forms.figures import __all__ as _figures
from actionplans.forms.measures import *  # noqa: F403
from actionplans.forms.measures import __all__ as _measures
from actionplans.forms.plans import *  # noqa: F403
from actionplans.forms.plans import __all__ as _plans
from actionplans.forms.reminders import *  # noqa: F403
from actionplans.forms.reminders import __all__ as _reminders

__all__ = [*_base, *_actions, *_figures, *_measures, *_plans, *_reminders]
