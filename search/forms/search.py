"""Forms of search: the search box (GET) and the search for a person across reviews."""

from __future__ import annotations

from django import forms

from scr.anonymise import IDENTIFIER_KINDS, NAME_KINDS
from scr.text import REASON_LENGTH, too_long
from search.selectors.records import MAX_QUERY

__all__ = ["PersonLookupForm", "SearchForm"]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search reviews", max_length=MAX_QUERY, required=False,
                        help_text="Words from a review, finding, recommendation, action, "
                                  "chronology entry, meeting notes or uploaded document; "
                                  "put a phrase in quotes. Or a review's reference.",
                        error_messages=too_long("Search", MAX_QUERY))
    page = forms.IntegerField(min_value=1, max_value=500, required=False,
                              widget=forms.HiddenInput)


class PersonLookupForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, required=False,
                           help_text="Full name, or first name and surname. Nicknames and "
                                     "previous surnames recorded in a register count.")
    identifier_kind = forms.ChoiceField(
        label="Kind of identifier", required=False,
        choices=[("", "No identifier"),
                 *[(k, label) for k, label in IDENTIFIER_KINDS if k not in NAME_KINDS]])
    identifier = forms.CharField(label="Identifier", max_length=200, required=False,
                                 help_text="For example an NHS number or a postcode.")
    reason = forms.CharField(
        label="Why are you searching for this person?", max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the log of searches for a person, with your name and what you "
                  "searched for.",
        error_messages={"required": "Enter why you are searching for this person",
                        **too_long("Reason", REASON_LENGTH)})
