"""Forms of the reading pages (dashboard filters, history filters) and small variants of
the record forms that only change how a page offers its choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Prefetch, QuerySet

from agencies.models import Membership, User
from agencies.roles import Role

from . import forms as record_forms
from .forms import AppointForm, SubjectEditForm, SubjectForm
from .models import Stage, Subject
from .selectors import ENDED, EVERY, OPEN

STAGE_FILTERS = [(OPEN, "Open reviews (any stage)"), *Stage.choices,
                 (ENDED, "Ended (closed, no review or withdrawn)"), (EVERY, "Every review")]


class DashboardFilterForm(record_forms.DashboardFilterForm):
    """Open reviews by default; any one stage (ended ones too), every ended or every review."""

    stage = forms.ChoiceField(required=False, choices=STAGE_FILTERS)

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"stage": data.get("stage", OPEN), "rag": data.get("rag", ""),
                "sort": data.get("sort") or "due"}


class NoBlankKindMixin(forms.Form):
    """Who someone is in the case is required: offer the kinds only, no pre-selected
    blank "---------" radio."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Subject.Kind.choices


class PersonInCaseForm(NoBlankKindMixin, SubjectForm):
    pass


class PersonInCaseEditForm(NoBlankKindMixin, SubjectEditForm):
    pass


PANEL_ROLES = (Role.REVIEWER, Role.PANEL_MEMBER)


class PanelPersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        roles = sorted({m.get_role_display() for m in obj.panel_roles})
        return f"{obj} ({', '.join(roles)})"


class AppointPersonForm(AppointForm):
    """Only people who hold a panel role (independent reviewer or panel member) today are
    offered, each with the role they hold."""

    user = PanelPersonField(
        label="Person", empty_label="Select a person",
        queryset=User.objects.none(),
        help_text="Only people with the independent reviewer or panel member role are listed.",
        error_messages={"required": "Select the person to appoint"})
    field_order = ["panel_role", "user", "agency", "independence_declaration"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = Membership.objects.active().filter(role__in=PANEL_ROLES)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True, memberships__in=held).distinct()
            .prefetch_related(Prefetch("memberships", queryset=held, to_attr="panel_roles")))


class HistoryFilterForm(forms.Form):
    """Narrow a review's history to one kind of record and/or one person's changes."""

    record_type = forms.ChoiceField(label="Record type", required=False)
    person = forms.TypedChoiceField(label="Changed by", required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args: Any, record_types: list[tuple[str, str]],
                 people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", "Every record"), *record_types]
        self.fields["person"].choices = [("", "Anyone"), *people]

    def chosen(self, histories: dict[str, tuple[str, QuerySet]]) -> list[QuerySet]:
        """The histories to show, already narrowed to the person chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        kind, person = data.get("record_type"), data.get("person")
        return [qs.filter(history_user_id=person) if person else qs
                for key, (_label, qs) in histories.items() if not kind or key == kind]
