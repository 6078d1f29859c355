"""Forms of the people in the case (the pseudonym register): a person, their identifiers and
name variants."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.formats.register import KIND_NAMES, parse_identifier_lines
from reviews.forms.base import ReasonMixin
from reviews.forms.fields import choice_field
from reviews.models import (
    Subject,
)
from scr.anonymise import IDENTIFIER_KINDS
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, too_long

__all__ = [
    "IdentifierLinesField", "NameVariantForm", "NameVariantRemoveForm", "NoBlankKindMixin",
    "PersonInCaseEditForm", "PersonInCaseForm", "RegisterImportForm", "SubjectEditForm",
    "SubjectForm", "SubjectIdentifierForm", "SubjectIdentifiersForm",
]

IDENTIFIER_LINES_HELP = ("One per line: what it is, a colon, then the value, e.g. “NHS "
                         "number: 943 476 5919”, “Postcode: NT1 2AB”, “Address: 12 Marsh Lane, "
                         "Northtown”, “Known as: Millie”. What it is may be: "
                         f"{KIND_NAMES}. A value that does not look right is kept as typed, "
                         "with a warning.")


class IdentifierLinesField(forms.CharField):
    """Several identifiers typed as lines of "what: value" → a list of (kind, value)."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", DESCRIPTION_LENGTH)
        kwargs.setdefault("help_text", IDENTIFIER_LINES_HELP)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[tuple[str, str]]:
        text = super().clean(value)
        pairs, errors = parse_identifier_lines(text or "")
        if errors:
            raise forms.ValidationError(errors)
        return pairs


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


class SubjectIdentifiersForm(forms.Form):
    identifiers = IdentifierLinesField(
        label="Other names, addresses and numbers",
        error_messages={"required": "Enter at least one name, address or number",
                        **too_long("The identifiers", DESCRIPTION_LENGTH)})


class RegisterImportForm(forms.Form):
    file = forms.FileField(label="Register file (CSV or Excel .xlsx)",
                           help_text="Every row is checked first: if any row has a problem, "
                                     "nothing is imported and each problem is listed.",
                           error_messages={"required": "Select a file"})


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
        choice_field(self, "kind").choices = Subject.Kind.choices
        if "sex" in self.fields:
            choice_field(self, "sex").choices = Subject.Sex.choices


class PersonInCaseForm(NoBlankKindMixin, SubjectForm):
    identifiers = IdentifierLinesField(
        label="Other names, addresses and numbers (optional)", required=False,
        error_messages=too_long("The identifiers", DESCRIPTION_LENGTH))


class PersonInCaseEditForm(NoBlankKindMixin, SubjectEditForm):
    pass
