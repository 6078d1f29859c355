"""CSV exports that a spreadsheet cannot be tricked into running.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to
Excel and LibreOffice; text typed by anyone (a username at a failed sign-in, a
path) could carry one. Such cells are prefixed with a quote.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterable[str]:
    """The CSV text, line by line, for a streaming response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])
