"""Hostile and genuine spreadsheets through the import's reading path: how long each takes
to be refused (or read) and the reading process's peak memory (VmHWM), each in a fresh
subprocess so one file's peak does not hide another's (issue 18, finding 2: a 107 KB XLSX
with one 100 MB cell took the server from 139 MB to 1,221 MB and a 500 after 25 s).

    .venv/bin/python benchmarks/spreadsheet_limits.py            # the new reader
    .venv/bin/python benchmarks/spreadsheet_limits.py --before   # openpyxl too, on the
                                                                  # 20 MB cell and genuine files

Each file goes through what an import runs before saving anything ("streamed"):
``scr.spreadsheets.import_upload`` (size and type by content) then
``reviews.formats.chronology.read_rows`` to the last row (the chronology's checks of each
row included). With ``--before``, "rows" is ``scr.spreadsheets.xlsx_rows`` alone and
"openpyxl" its read-only reader alone, to compare the two readers. No database is touched. Nothing
here asserts a time; it prints, and writes ``benchmarks/results/spreadsheet_limits.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")


def peak_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def read_one(path: str, reader: str) -> None:
    """In the child: read the file as an import would, print one JSON line."""
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files import File

    from reviews.formats.chronology import read_rows
    from scr.spreadsheets import SpreadsheetUnreadable, import_rows, import_upload

    baseline = peak_mb()
    started = time.perf_counter()
    rows, outcome = 0, "read"
    with open(path, "rb") as handle:
        try:
            if reader == "rows":  # scr.spreadsheets alone, to compare with openpyxl's
                from scr.spreadsheets import xlsx_rows

                for _ in xlsx_rows(handle):
                    rows += 1
            elif reader == "openpyxl":  # the reader before issue 18
                from openpyxl import load_workbook

                book = load_workbook(handle, read_only=True, data_only=True)
                for _ in book.worksheets[0].iter_rows(values_only=True):
                    rows += 1
                book.close()
            else:
                stream, xlsx = import_upload(File(handle, name=Path(path).name))
                for _ in import_rows(read_rows(stream, xlsx=xlsx)):
                    rows += 1
        except ValidationError as refused:
            outcome = "refused: " + " ".join(refused.messages)[:160]
        except SpreadsheetUnreadable as refused:
            outcome = f"refused: {str(refused)[:160]}"
        except Exception as error:  # the figure is what happened
            outcome = f"error: {type(error).__name__}: {str(error)[:120]}"
    print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "rows": rows,
                      "baseline_mb": round(baseline), "peak_mb": round(peak_mb()),
                      "outcome": outcome}))


def cases() -> list[tuple[str, str, Callable[[], bytes]]]:
    from tests import hostile_spreadsheets as hostile

    mb = hostile.MB
    return [
        ("xlsx", "one 100 MB cell (the pen test's file)", lambda: hostile.huge_cell(100 * mb)),
        ("xlsx", "one 300 MB cell", lambda: hostile.huge_cell(300 * mb)),
        ("xlsx", "one 20 MB cell", lambda: hostile.huge_cell(20 * mb)),
        ("xlsx", "one 90 MB cell (under the unpacked limit)",
         lambda: hostile.huge_cell(90 * mb)),
        ("xlsx", "one 90 MB shared text", lambda: hostile.huge_shared_string(90 * mb)),
        ("xlsx", "200,000 rows", lambda: hostile.many_rows(200_000)),
        ("xlsx", "10,000 sheets", lambda: hostile.many_sheets(10_000)),
        ("xlsx", "3,000,000 shared texts", lambda: hostile.many_shared_strings(3_000_000)),
        ("xlsx", "a 30,000-character text in 7 cells of 2,000 rows",
         lambda: hostile.reused_shared_string(30_000, 2_000)),
        ("xlsx", "deflate ratio bomb, 1 GB of spaces, declared",
         lambda: hostile.ratio_bomb(1024 * mb)),
        ("xlsx", "deflate ratio bomb, 95 MB of spaces (under the limit)",
         lambda: hostile.ratio_bomb(95 * mb)),
        ("xlsx", "deflate ratio bomb, 300 MB declared as 1 KB",
         lambda: hostile.lying_ratio_bomb(300 * mb)),
        ("csv", "CSV, one 9 MB field", lambda: hostile.csv_huge_field(9 * mb)),
        ("csv", "CSV, a quoted field over 3,000,000 lines",
         lambda: hostile.csv_huge_quoted_field(3_000_000)),
        ("xlsx", "genuine: 10,000 rows, 800-character entries (openpyxl-written)",
         genuine_xlsx),
        ("csv", "genuine: 10,000 rows, 800-character entries", genuine_csv),
    ]


def _genuine_rows() -> list[list[object]]:
    from datetime import date, timedelta

    start = date(2024, 1, 1)
    words = ("Home visit by the health visitor; the baby was seen asleep and mother said "
             "feeding was going well. ")
    return [[start + timedelta(days=n % 700), "10:30", f"Record {n}",
             (words * 12)[:800], "Health visitor", "yes", "routine"] for n in range(10_000)]


def genuine_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    from tests.hostile_spreadsheets import HEADER

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Chronology")
    sheet.append(HEADER)
    for row in _genuine_rows():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def genuine_csv() -> bytes:
    import csv
    import io

    from tests.hostile_spreadsheets import HEADER

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in _genuine_rows():
        writer.writerow([f"{row[0]:%d/%m/%Y}", *row[1:]])
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", action="store_true",
                        help="also read the 20 MB cell and the genuine files with openpyxl")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "READER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        read_one(*args.child)
        return
    import django

    django.setup()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, name, build in cases():
            data = build()
            path = Path(folder) / f"file.{kind}"
            path.write_bytes(data)
            readers = ["streamed"]
            if args.before and kind == "xlsx" and ("genuine" in name or "20 MB" in name):
                readers += ["rows", "openpyxl"]
            for reader in readers:
                child = subprocess.run([sys.executable, __file__, "--child", str(path), reader],
                                       capture_output=True, text=True, check=False)
                lines = child.stdout.strip().splitlines()
                figure = (json.loads(lines[-1]) if lines
                          else {"outcome": f"died: {child.returncode} {child.stderr[-200:]}"})
                figure |= {"file": name, "reader": reader, "size_kb": round(len(data) / 1024)}
                results.append(figure)
                print(f"{name:<62} {reader:<9} {figure['size_kb']:>7,} KB "
                      f"{figure.get('seconds', '-'):>6} s  peak {figure.get('peak_mb', '-')} MB "
                      f"(from {figure.get('baseline_mb', '-')})  {figure['outcome'][:110]}")
    out = ROOT / "benchmarks" / "results" / "spreadsheet_limits.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
