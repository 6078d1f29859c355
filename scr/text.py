"""Text as it comes in: one normal form for names, pseudonyms and usernames.

Look-alike text defeats every uniqueness rule and every later search for a name
(the pseudonymiser, the leak check): ``Child\u200bA`` is not ``Child A`` to a
database, and ``pоlice`` with a Cyrillic ``о`` is not ``police``. So text that
names someone is normalised before it is validated or stored:

- Unicode NFKC (compatibility forms folded: non-breaking spaces, ligatures,
  full-width letters), then NFC so accents stay composed;
- invisible format characters (zero-width space/joiners, bidi marks) removed;
- control characters removed, runs of spaces and tabs made one space; line
  breaks are kept only where the field holds one entry per line.

Confusable usernames are judged with the maintained ``confusable-homoglyphs``
package (Unicode's confusables data, UTS #39) rather than a hand-made table.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from confusable_homoglyphs import confusables

if TYPE_CHECKING:
    from django.db.models import Model

_SPACES = re.compile(r"[^\S\n]+")


def _visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Cf: format (zero-width, bidi); Cc: control, except the line break we keep.
    return ch == "\n" or category not in ("Cf", "Cc", "Cs", "Co", "Cn")


def normalise_text(value: str, *, multiline: bool = False) -> str:
    """The one normal form of a name-like text (see the module docstring)."""
    if not value:
        return value
    text = unicodedata.normalize("NFKC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch if _visible(ch) else (" " if ch == "\t" else "") for ch in text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if multiline:
        return "\n".join(line for line in lines if line)
    return " ".join(line for line in lines if line)


def skeleton(value: str) -> str:
    """A comparison key in which look-alike characters are the same letter (Latin where
    one exists): ``pоlice`` (Cyrillic о) and ``police`` share one skeleton."""
    text = normalise_text(value).casefold()
    found = confusables.is_confusable(text, greedy=True, preferred_aliases=["latin"]) or []
    swaps = {item["character"]: item["homoglyphs"][0]["c"] for item in found
             if item.get("homoglyphs")}
    return "".join(swaps.get(ch, ch) for ch in text)


def looks_mixed(value: str) -> bool:
    """True when the text mixes scripts with characters that imitate another script."""
    return bool(confusables.is_dangerous(value))


# ---------------------------------------------------------------- maximum lengths
# Every free-text field has a maximum length (issue 9, defect 7: a 2 MB delay explanation
# was stored). Model text fields declare ``max_length``; forms take the same limit (the
# browser's ``maxlength`` too) with ``too_long`` as the message; and ``refuse_overlong_text``
# checks every model save, so no service, task or command can store more.
REASON_LENGTH = 1_000  # a reason or short note
DESCRIPTION_LENGTH = 2_000  # a description, an address, a list of names or identifiers
NARRATIVE_LENGTH = 10_000  # an account of events, reasons for a decision, an explanation
DOCUMENT_LENGTH = 100_000  # a long written piece: an agency report's analysis, a report section


def too_long(label: str, limit: int) -> dict[str, str]:
    """A form field's ``error_messages`` entry for its maximum length, in GOV.UK words."""
    return {"max_length": f"{label} must be {limit:,} characters or less"}


def refuse_overlong_text(sender: type, instance: Model, **_: object) -> None:
    """``pre_save``: a text longer than its field allows is refused with a clear message
    (instead of a database error, or storing it where the column has no limit)."""
    from django.core.exceptions import ValidationError
    from django.db import models

    errors = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or not field.max_length:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and len(value) > field.max_length:
            label = str(field.verbose_name).capitalize()
            errors[field.name] = f"{label} must be {field.max_length:,} characters or less"
    if errors:
        raise ValidationError(errors)
PUBLISHED_TEXT_LENGTH = 2_000_000  # the whole text of a published report (for search)


_ISO_DATE = re.compile(r"(?<![\w/-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")


def govuk_dates(text: str) -> str:
    """``text`` with every ISO date in it ("2026-12-02") written the GOV.UK way ("2 Dec
    2026"): for texts written by code before dates were shown (history reasons, stored
    values), so that no page shows a date in two styles."""
    from datetime import date

    def written(match: re.Match[str]) -> str:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return f"{day.day} {day:%b %Y}"

    return _ISO_DATE.sub(written, text)
