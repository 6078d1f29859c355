"""The reviews app's forms, one module per sub-domain (as the models, services and views).

Field-level checks only: a rule that holds whatever the entry point lives in the services,
whose errors the views put back on these forms. Each module declares ``__all__``; this
package re-exports them, so a view writes ``from reviews import forms; forms.ReferralForm``.
"""

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
from .fields import *  # noqa: F403
from .fields import __all__ as _fields
from .lifecycle import *  # noqa: F403
from .lifecycle import __all__ as _lifecycle
from .lists import *  # noqa: F403
from .lists import __all__ as _lists
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

__all__ = [*_base, *_fields, *_lifecycle, *_clocks, *_panel, *_register, *_lists, *_evidence,
           *_chronology, *_meetings, *_analysis, *_report, *_publication]
