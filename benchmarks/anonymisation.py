"""Anonymisation on a 40-page report: anonymiser, render, leak check (issue 12).

Generates a synthetic report (about 20,000 words, 40 pages, tables, 8 subjects with every
kind of identifier: other names, dates of birth, addresses, postcodes, schools, NHS and
National Insurance numbers, references, phones, e-mail addresses), then measures:

1. the anonymiser (``scr.anonymise.anonymise``) on the report's HTML with real names;
2. rendering the anonymised HTML with the project's wrapper (``scr.pdf.html_to_pdf``)
   and with raw WeasyPrint (default fetcher, the same stylesheet and fonts by
   ``file://`` URL), each in a fresh process so the peak memory (maximum resident set
   size) is each render's own; the two alternate, ``--renders`` times each; wall-clock
   and CPU time (CPU time is steadier on a shared machine);
3. the leak check on the rendered PDF, text extraction included (target <= 1 s);
4. the leak check's hits on that clean report (false positives, target <= 2): the
   clean text names reviewers, the board, towns, agencies and pseudonyms, and has
   month-and-year dates and paragraph numbers, none of which is a hit.

No database is needed:

    .venv/bin/python benchmarks/anonymisation.py [--renders 3] [--pages-out /tmp/report.pdf]
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")

REFERENCE_DATE = date(2019, 6, 1)

SUBJECTS = [
    # pseudonym, full name, date of birth, identifiers
    ("Child K", "Amelia Rose Marsh-O’Neill", date(2015, 3, 3), [
        ("known_as", "Millie"), ("address", "12 Marsh Lane\nNorthtown\nNT1 2AB"),
        ("postcode", "NT1 2AB"), ("school", "Northtown Primary School"),
        ("nhs_number", "943 476 5919"), ("la_ref", "LA-778812"),
        ("police_ref", "CR/2015/1234"), ("phone", "01632 960123"),
        ("email", "amelia.k@example.org")]),
    ("Sibling 1", "Jayden Marsh-O’Neill", date(2012, 11, 20), [
        ("nickname", "JJ Bear"), ("address", "12 Marsh Lane\nNorthtown\nNT1 2AB"),
        ("school", "St Wilfrid’s Academy"), ("nhs_number", "401 023 2137"),
        ("la_ref", "LA-778813"), ("phone", "07911 123456"), ("email", "jayden.mo@example.org"),
        ("postcode", "NT1 2AB"), ("police_ref", "CR/2016/0042")]),
    ("Mother", "Zoë Hope Brown", date(1990, 7, 14), [
        ("previous_surname", "Zoe Hart"), ("address", "Flat 3, Tower House\nSouthford\nNT4 7XY"),
        ("postcode", "NT4 7XY"), ("ni_number", "AB 12 34 56 C"), ("nhs_number", "943 476 5870"),
        ("phone", "07700 900982"), ("email", "zoe.brown@example.org"),
        ("police_ref", "CR/2014/7777"), ("la_ref", "LA-100200"), ("school", "Southford College")]),
    ("Father", "José McDonald", date(1986, 1, 9), [
        ("known_as", "Joe Mac"), ("address", "44 Quarry Road\nEastbury\nNT9 3QP"),
        ("postcode", "NT9 3QP"), ("ni_number", "JG 10 37 91 A"), ("nhs_number", "485 777 3457"),
        ("phone", "020 7946 0018"), ("email", "jose.mcd@example.net"),
        ("police_ref", "CR/2013/5151"), ("la_ref", "LA-300400"), ("school", "Eastbury High School")]),
    ("Grandmother", "Siobhan Ní Bhriain", date(1961, 5, 30), [
        ("known_as", "Nana Shiv"), ("address", "7 Heather Close\nNorthtown\nNT2 8LD"),
        ("postcode", "NT2 8LD"), ("ni_number", "CE 45 67 89 D"), ("nhs_number", "999 999 9999"),
        ("phone", "0161 496 0000"), ("email", "siobhan.nb@example.com"),
        ("police_ref", "CR/2010/1010"), ("la_ref", "LA-500600"), ("school", "Hill Top Infants")]),
    ("Partner", "Mark Bishop", date(1984, 9, 2), [
        ("nickname", "Bish"), ("address", "3 Canal Walk\nSouthford\nNT5 1EE"),
        ("postcode", "NT5 1EE"), ("ni_number", "HT 22 33 44 B"), ("nhs_number", "401 023 2153"),
        ("phone", "0113 496 0000"), ("email", "mark.bishop@example.com"),
        ("police_ref", "CR/2017/3003"), ("la_ref", "LA-700800"), ("school", "Riverside College")]),
    ("Social Worker 1", "Priya Natarajan", date(1979, 2, 17), [
        ("known_as", "Pri"), ("address", "Children's Services, 1 Civic Way\nNorthtown\nNT1 1AA"),
        ("postcode", "NT1 1AA"), ("ni_number", "JK 98 76 54 C"), ("nhs_number", "401 023 2161"),
        ("phone", "01632 960999"), ("email", "priya.natarajan@example.gov.uk"),
        ("police_ref", "SW/0001/99"), ("la_ref", "STAFF-4242"), ("school", "Northshire University")]),
    ("Health Visitor 1", "Grace Okafor", date(1975, 12, 1), [
        ("previous_surname", "Grace Adeyemi"), ("address", "Health Centre, 9 Mill Street\nEastbury\nNT9 9ZZ"),
        ("postcode", "NT9 9ZZ"), ("ni_number", "PR 11 22 33 A"), ("nhs_number", "401 023 2188"),
        ("phone", "0115 496 0000"), ("email", "grace.okafor@example.nhs.uk"),
        ("police_ref", "HV/0002/88"), ("la_ref", "STAFF-5353"), ("school", "Northshire College")]),
]

# The words of a clean report: pseudonyms, roles, agencies, towns, months and years.
CLEAN_TEXT = (
    "the practitioners recognised that information sharing between agencies was slow and that "
    "the voice of the child was not always heard during home visits in Northtown and "
    "Southford where the family lived at different times supervision arrangements were "
    "reviewed by the safeguarding partnership and the panel considered whether earlier help "
    "would have made a difference to outcomes for the children early help assessments were "
    "started but not completed and the school raised concerns with children's social care on "
    "several occasions the police attended after a neighbour called and a referral was made "
    "to the front door health professionals saw the children for routine appointments and "
    "growth was monitored"
)
CLEAN_WORDS = CLEAN_TEXT.split()
PEOPLE_IN_CLEAN_TEXT = ("Jane Reviewer, the independent reviewer", "Dr Harold Pemberton, chair of "
                        "the board", "the Northshire Safeguarding Children Partnership",
                        "Northshire Constabulary", "Northtown General Hospital")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _register():  # type: ignore[no-untyped-def]
    from scr.anonymise import NAME_KINDS, Identifier, RegisterEntry, normalise_identifier

    entries = []
    for pseudonym, full_name, born, identifiers in SUBJECTS:
        values = [(kind, normalise_identifier(kind, value)) for kind, value in identifiers]
        entries.append(RegisterEntry(
            pseudonym, full_name, other_names=tuple(v for k, v in values if k in NAME_KINDS),
            date_of_birth=born,
            identifiers=tuple(Identifier(k, v) for k, v in values if k not in NAME_KINDS)))
    return entries


def _mentions(rng: random.Random) -> str:
    """A sentence naming a subject the way reports do: full name, first name, surname,
    possessive, other names, a number or an address."""
    _pseudonym, full_name, born, identifiers = rng.choice(SUBJECTS)
    parts = full_name.split()
    kind, value = rng.choice(identifiers)
    value = value.replace("\n", ", ")
    return rng.choice([
        f"{full_name} was seen at home by a practitioner.",
        f"{parts[0]} told the teacher that things were difficult.",
        f"Ms {parts[-1]} attended the meeting.",
        f"{parts[0]}’s records were shared late.",
        f"{full_name} (born {born.day} {MONTHS[born.month - 1]} {born.year}) was assessed.",
        f"The {kind.replace('_', ' ')} recorded was {value}.",
        f"{parts[0].upper()} was discussed at the strategy meeting.",
    ])


def _clean_sentence(rng: random.Random) -> str:
    words = rng.sample(CLEAN_WORDS, rng.randint(12, 22))
    extra = rng.choice(["", f" in {rng.choice(MONTHS)} {rng.randint(2012, 2019)}",
                        f" (paragraph {rng.randint(1, 9)}.{rng.randint(1, 9)}.{rng.randint(1, 20)})",
                        f", as {rng.choice(PEOPLE_IN_CLEAN_TEXT)} noted",
                        f"; {rng.choice([s[0] for s in SUBJECTS])} was present"])
    sentence = " ".join(words) + extra + "."
    return sentence[0].upper() + sentence[1:]


def report_html(rng: random.Random, words: int = 20_000) -> str:
    """About ``words`` words: sections of paragraphs, a table every few sections."""
    parts = ["<h1>Learning review: Child K</h1><p>Northshire Safeguarding Children "
             "Partnership, published June 2019.</p>"]
    count, section = 0, 0
    while count < words:
        section += 1
        parts.append(f"<h2>{section}. Key practice episode {section}</h2>")
        for _ in range(6):
            sentences = [_mentions(rng) if rng.random() < 0.25 else _clean_sentence(rng)
                         for _ in range(rng.randint(4, 7))]
            paragraph = " ".join(sentences)
            count += len(paragraph.split())
            parts.append(f"<p>{paragraph}</p>")
        if section % 3 == 0:
            rows = "".join(
                f"<tr><td>{rng.choice(MONTHS)} {rng.randint(2012, 2019)}</td>"
                f"<td>{rng.choice(['Police', 'Health', 'Education', 'Children’s social care'])}</td>"
                f"<td>{_mentions(rng) if rng.random() < 0.3 else _clean_sentence(rng)}</td></tr>"
                for _ in range(12))
            parts.append("<table><thead><tr><th>When</th><th>Agency</th><th>What happened</th>"
                         f"</tr></thead><tbody>{rows}</tbody></table>")
            count += 12 * 20
    return "\n".join(parts)


# ---------------------------------------------------------------- renders in fresh processes

def _render_child(mode: str, html_path: str, pdf_path: str) -> None:
    """Run in a fresh interpreter: render once, print seconds and peak RSS as JSON."""
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    html = Path(html_path).read_text()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if mode == "wrapper":
        from scr.pdf import html_to_pdf

        pdf = html_to_pdf(html)
    else:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        assets = ROOT / "scr" / "pdf_assets"
        css = (assets / "base.css").read_text().replace("scr-asset:", assets.as_uri() + "/")
        fonts = FontConfiguration()
        pdf = HTML(string=html).write_pdf(
            stylesheets=[CSS(string=css, font_config=fonts)], font_config=fonts)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    Path(pdf_path).write_bytes(pdf)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_kib / 1024,
                      "bytes": len(pdf)}))


def _render(mode: str, html_path: Path, pdf_path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(html_path), str(pdf_path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=3)
    parser.add_argument("--pages-out", type=Path, default=None)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _render_child(*args.child)
        return

    import django

    django.setup()
    from scr.anonymise import anonymise, leak_check, pdf_pages, unregistered_names

    rng = random.Random(12)
    register = _register()
    source = report_html(rng)
    words = len(source.split())
    anonymise(source[:2000], register, REFERENCE_DATE)  # compile the register once (cached)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        result = anonymise(source, register, REFERENCE_DATE)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    possible = unregistered_names(source, register, ignore=PEOPLE_IN_CLEAN_TEXT)
    unregistered_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        html_path = Path(tmp) / "report.html"
        html_path.write_text(result.text)
        renders: dict[str, list[dict]] = {"wrapper": [], "raw": []}
        for _ in range(args.renders):
            for mode in ("raw", "wrapper"):
                renders[mode].append(_render(mode, html_path, Path(tmp) / f"{mode}.pdf"))
        pdf = (Path(tmp) / "wrapper.pdf").read_bytes()
    if args.pages_out:
        args.pages_out.write_bytes(pdf)

    leak_timings, hits = [], []
    for _ in range(5):
        started = time.perf_counter()
        hits = leak_check(pdf, register, allowed_dates=())
        leak_timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    pages = pdf_pages(pdf)
    extraction = time.perf_counter() - started

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    raw_s, wrap_s = med(renders["raw"], "seconds"), med(renders["wrapper"], "seconds")
    raw_cpu, wrap_cpu = med(renders["raw"], "cpu_seconds"), med(renders["wrapper"], "cpu_seconds")
    report = {
        "words": words, "pages": len(pages), "subjects": len(register),
        "replacements": len(result.replacements), "skipped": len(result.skipped),
        "findings_left_for_leak_check": len(result.findings),
        "anonymise_seconds_median": round(statistics.median(timings), 3),
        "unregistered_names_seconds": round(unregistered_seconds, 3),
        "possible_unregistered_names": [p.name for p in possible],
        "render_raw_seconds_median": round(raw_s, 2),
        "render_wrapper_seconds_median": round(wrap_s, 2),
        "render_ratio_wrapper_to_raw": round(wrap_s / raw_s, 2),
        "render_raw_cpu_seconds_median": round(raw_cpu, 2),
        "render_wrapper_cpu_seconds_median": round(wrap_cpu, 2),
        "render_cpu_ratio_wrapper_to_raw": round(wrap_cpu / raw_cpu, 2),
        "render_raw_peak_mb_median": round(med(renders["raw"], "peak_mb"), 1),
        "render_wrapper_peak_mb_median": round(med(renders["wrapper"], "peak_mb"), 1),
        "leak_check_seconds_median": round(statistics.median(leak_timings), 3),
        "of_which_text_extraction_seconds": round(extraction, 3),
        "leak_check_hits_on_clean_report": len(hits),
        "hits": [f"p{h.page} {h.kind} {h.text!r}" for h in hits][:20],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
