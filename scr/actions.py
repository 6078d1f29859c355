"""The actions a scope is asked for: ``Model.objects.for_user(user, action)``.

A ``Literal`` type, so a mistyped action is a type error (mypy, run by ``make test``)
instead of a silent empty queryset at run time.
"""

from __future__ import annotations

from typing import Literal

Action = Literal["view", "change", "manage", "view_history", "view_identifiable", "aggregate"]
