"""What tagged PDF/UA-1 costs: the same report of about 60 pages rendered by
``scr.pdf.html_to_pdf`` plain (``variant=None``) and as PDF/UA-1 (the default), each in a
fresh process, alternating; then the leak check on the tagged PDF.

    .venv/bin/python benchmarks/pdf_ua.py --renders 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")


def _child(mode: str, html_path: str, pdf_path: str) -> None:
    from scr.pdf import PDF_VARIANT, html_to_pdf

    html = Path(html_path).read_text()
    started, cpu_started = time.perf_counter(), time.process_time()
    pdf = html_to_pdf(html, variant=PDF_VARIANT if mode == "ua" else None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    Path(pdf_path).write_bytes(pdf)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak,
                      "bytes": len(pdf)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=3)
    parser.add_argument("--words", type=int, default=27_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    import django

    django.setup()
    from anonymisation import PEOPLE_IN_CLEAN_TEXT, REFERENCE_DATE, _register, report_html

    from scr.anonymise import anonymise, leak_check, pdf_pages

    register = _register()
    text = anonymise(report_html(random.Random(12), args.words), register, REFERENCE_DATE).text
    html = (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Learning '
            f"review: Child K</title></head><body>{text}</body></html>")
    results: dict[str, list[dict]] = {"plain": [], "ua": []}
    with tempfile.TemporaryDirectory() as tmp:
        html_path = Path(tmp) / "report.html"
        html_path.write_text(html)
        for _ in range(args.renders):
            for mode in ("plain", "ua"):
                done = subprocess.run([sys.executable, __file__, "--child", mode, str(html_path),
                                       str(Path(tmp) / f"{mode}.pdf")],
                                      capture_output=True, text=True, check=True)
                results[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
        pdf = (Path(tmp) / "ua.pdf").read_bytes()
    pages = len(pdf_pages(pdf))
    started = time.perf_counter()
    hits = leak_check(pdf, register, allowed_names=[p.split(",")[0] for p in PEOPLE_IN_CLEAN_TEXT])
    leak_seconds = time.perf_counter() - started

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    print(f"pages: {pages}, words: {args.words}, renders each: {args.renders}")
    for mode in ("plain", "ua"):
        print(f"{mode:5}: {median(mode, 'seconds'):.2f} s wall, {median(mode, 'cpu_seconds'):.2f} s "
              f"CPU, {median(mode, 'peak_mb'):.1f} MB peak, {median(mode, 'bytes') / 1024:.0f} KiB")
    print(f"ratio ua/plain: {median('ua', 'seconds') / median('plain', 'seconds'):.2f} wall, "
          f"{median('ua', 'cpu_seconds') / median('plain', 'cpu_seconds'):.2f} CPU, "
          f"{median('ua', 'bytes') / median('plain', 'bytes'):.2f} size")
    print(f"leak check on the tagged PDF: {leak_seconds:.2f} s, {len(hits)} hits")
    for hit in hits[:20]:
        print("  ", hit.page, hit.kind, repr(hit.text), "|", hit.context[:90])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
