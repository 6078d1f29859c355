"""Moved to ``scr.spreadsheets`` (reading and writing CSV and XLSX in one place). Kept
only for ``agencies/views.py`` (the access log's CSV), which another change is moving;
import ``scr.spreadsheets`` instead, and delete this module once nothing imports it."""

from __future__ import annotations

from scr.spreadsheets import FORMULA_STARTS, csv_lines, safe_cell

__all__ = ["FORMULA_STARTS", "csv_lines", "safe_cell"]
