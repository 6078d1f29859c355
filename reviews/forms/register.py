"""Forms of the people in the case (the pseudonym register): a person, their identifiers and
name variants."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.forms.base import ReasonMixin
from reviews.models import (
    Subject,
)
from scr.anonymise import IDENTIFIER_KINDS
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, too_long

__all__ = [
    "NameVariantForm", "NameVariantRemoveForm", "NoBlankKindMixin", "PersonInCaseEditForm",
    "PersonInCaseForm", "SubjectEditForm", "SubjectForm", "SubjectIdentifierForm",
]


class SubjectForm(forms.ModelForm):
    date_of_birth = GovukDateField(label="Date of birth", required=False)

    class Meta:
        model = Subject
        fields = ["kind", "pseudonym", "full_name", "date_of_birth", "sex"]
        widgets = {"kind": forms.RadioSelect, "sex": forms.RadioSelect}
        labels = {"kind": "Who they are in the case", "sex": "Sex (optional)"}
        error_messages = {"pseudonym": {"required": "Enter a pseudonym, for example Child A"},
                          "full_name": {"required": "Enter their full name"},
                          "kind": {"required": "Select who they are in the case"},
                          "other_names": too_long("Other names", DESCRIPTION_LENGTH),
                          "address": too_long("Address", DESCRIPTION_LENGTH),
                          "identifiers": too_long("Identifiers", DESCRIPTION_LENGTH)}


class SubjectEditForm(SubjectForm, ReasonMixin):
    pass


class SubjectIdentifierForm(forms.Form):
    """Other names, addresses, numbers: one at a time, each checked for its kind."""

    kind = forms.ChoiceField(label="What it is", choices=IDENTIFIER_KINDS,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what kind of identifier this is"})
    value = forms.CharField(label="The name, address or number", max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="An address may take several lines. Numbers may be "
                                      "typed with or without spaces.",
                            error_messages={"required": "Enter the identifier"})


class NameVariantForm(forms.Form):
    text = forms.CharField(label="Name variant", max_length=200,
                           help_text="A spelling, nickname or short form this person is known "
                                     "by that the list above does not have.",
                           error_messages={"required": "Enter the name variant"})
    reason = forms.CharField(label="Why it is needed", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the review's history with your name.")


class NameVariantRemoveForm(ReasonMixin):
    variant = forms.CharField(widget=forms.HiddenInput)


class NoBlankKindMixin(forms.Form):
    """Who someone is in the case is required: offer the kinds only, no pre-selected
    blank "---------" radio."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Subject.Kind.choices
        if "sex" in self.fields:
            self.fields["sex"].choices = Subject.Sex.choices


class PersonInCaseForm(NoBlankKindMixin, SubjectForm):
    pass


class PersonInCaseEditForm(NoBlankKindMixin, SubjectEditForm):
    pass
