from __future__ import annotations

from typing import Any

from django import template

from reviews.clocks import clock_label
from reviews.models import Review
from reviews.selectors import days_in_stage

register = template.Library()


register.filter("clock_label", clock_label)


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter(name="days_in_stage")
def days_in_stage_filter(review: Review) -> int:
    return days_in_stage(review)
