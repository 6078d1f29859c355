"""The reviews app's forms, one module per sub-domain (as the models, services and views).

Field-level checks only: a rule that holds whatever the entry point lives in the services,
whose errors the views put back on these forms. Each module declares ``__all__``; this
package re-exports them, so a view writes ``from reviews import forms; forms.ReferralForm``.
"""

from reviews.forms.analysis import *  # noqa: F403
from reviews.forms.analysis import __all__ as _analysis
from reviews.forms.base import *  # noqa: F403
from reviews.forms.base import __all__ as _base
from reviews.forms.briefings import *  # noqa: F403
from reviews.forms.briefings import __all__ as _briefings
from reviews.forms.chronology import *  # noqa: F403
from reviews.forms.chronology import __all__ as _chronology
from reviews.forms.clocks import *  # noqa: F403
from reviews.forms.clocks import __all__ as _clocks
from reviews.forms.evidence import *  # noqa: F403
from reviews.forms.evidence import __all__ as _evidence
from reviews.forms.fields import *  # noqa: F403
from reviews.forms.fields import __all__ as _fields
from reviews.forms.lifecycle import *  # noqa: F403
from reviews.forms.lifecycle import __all__ as _lifecycle
from reviews.forms.lists import *  # noqa: F403
from reviews.forms.lists import __all__ as _lists
from reviews.forms.meetings import *  # noqa: F403
from reviews.forms.meetings import __all__ as _meetings
from reviews.forms.panel import *  # noqa: F403
from reviews.forms.panel import __all__ as _panel
from reviews.forms.publication import *  # noqa: F403
from reviews.forms.publication import __all__ as _publication
from reviews.forms.register import *  # noqa: F403
from reviews.forms.register import __all__ as _register
from reviews.forms.report import *  # noqa: F403
from reviews.forms.report import __all__ as _report

__all__ = [*_base, *_fields, *_lifecycle, *_clocks, *_panel, *_register, *_lists, *_evidence,
           *_chronology, *_meetings, *_analysis, *_report, *_publication,
           *_briefings]
