"""What the action-plan forms share."""

from __future__ import annotations

from typing import Any

from django import forms

from scr.text import NARRATIVE_LENGTH, too_long

__all__ = ["text_field"]


def text_field(label: str, message: str, rows: int = 3, *, max_length: int = NARRATIVE_LENGTH,
          **kwargs: Any) -> forms.CharField:
    """A free-text field, bounded (a reason is shorter: pass ``REASON_LENGTH``)."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}),
                           max_length=max_length,
                           error_messages={"required": message,
                                           **too_long(label, max_length)}, **kwargs)
