"""Anonymise, render and leak-check a 60-page report through the real report template, beside
raw WeasyPrint on the same HTML (issue 17; issue 20 item 5).

Generates a synthetic report as the app stores it (Markdown parts with real names, about
30,000 words, 60-odd pages, tables, 8 subjects with every kind of identifier: other names,
dates of birth, addresses, postcodes, schools, NHS and National Insurance numbers, references, phones,
e-mail addresses), then:

1. builds the published HTML once the way ``reviews.services.publication`` does: every part
   through ``scr.anonymise.anonymise``, Markdown → sanitised HTML
   (``reviews.formats.markdown.render_markdown``), empty parts left out, the real template
   ``reviews/report_pdf.html`` (cover, contents with ``target-counter`` page numbers,
   running headers by ``string-set``, page numbers) and its stylesheets;
2. in one run, alternating, ``--rounds`` times, each in a fresh process (``python -c``, not
   a fork, so nothing of this process is counted):
   - ``app``: the app's whole path — anonymise and build the HTML again (checked identical),
     ``scr.pdf.html_to_pdf`` (the allow-listed fetcher, the shipped fonts, tagged PDF/UA-1),
     then the leak check on the PDF's own text (``pdf_pages`` + ``leak_check_pages``);
   - ``raw-ua``: WeasyPrint alone on the same HTML, same stylesheets and fonts by
     ``file://`` URL, default fetcher, the same ``pdf/ua-1`` variant;
   - ``raw``: WeasyPrint alone, untagged (what tagging costs, for the record);
3. prints wall-clock and CPU medians of each step, the render ratio app / raw-ua (target
   <= 1.2) and app / raw, and each child's own peak memory, two ways: its ``VmHWM`` read
   from ``/proc/self/status`` by the child just before it exits, and ``ru_maxrss`` of that
   one child from ``os.wait4`` in the parent (target <= 300 MB). ``ru_maxrss`` read inside
   a forked child would report the parent's memory, so neither figure is taken that way.

No database is needed:

    .venv/bin/python benchmarks/anonymisation.py [--rounds 3] [--words 30000] [--warm 3]
                                                 [--pdf-out /tmp/r.pdf]
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


# ---------------------------------------------------------------- the report as the app stores it

PART_TITLES = ["Introduction", "Family structure", "Background", "Key practice episodes",
               "Analysis", "Findings", "Recommendations", "Glossary", "Appendix: terms of reference"]


def report_parts(rng: random.Random, words: int) -> list[tuple[str, str, str]]:
    """(anchor, title, Markdown body) parts of about ``words`` words with real names: each
    part paragraphs and, every few episodes, a chronology table; one part left empty (a
    template section nobody wrote: left out of the PDF)."""
    bodies: list[list[str]] = [[] for _ in PART_TITLES]
    count, episode = 0, 0
    while count < words:
        episode += 1
        part = bodies[1 + episode % (len(PART_TITLES) - 2)]
        part.append(f"### Episode {episode}\n")
        for _ in range(6):
            sentences = [_mentions(rng) if rng.random() < 0.25 else _clean_sentence(rng)
                         for _ in range(rng.randint(4, 7))]
            paragraph = " ".join(sentences)
            count += len(paragraph.split())
            part.append(paragraph + "\n")
        if episode % 3 == 0:
            rows = "".join(
                f"| {rng.choice(MONTHS)} {rng.randint(2012, 2019)} | "
                f"{rng.choice(['Police', 'Health', 'Education', 'Children’s social care'])} | "
                f"{_mentions(rng) if rng.random() < 0.3 else _clean_sentence(rng)} |\n"
                for _ in range(12))
            part.append("| When | Agency | What happened |\n|---|---|---|\n" + rows)
            count += 12 * 20
    bodies[-2] = []  # the glossary: empty, left out
    return [(f"part-{n}", title, "\n".join(body))
            for n, (title, body) in enumerate(zip(PART_TITLES, bodies, strict=True), start=1)]


def published_html(parts: list[tuple[str, str, str]], register: list) -> str:  # type: ignore[type-arg]
    """The published HTML as ``reviews.services.publication`` builds it (anonymise each part,
    Markdown, empty parts left out, the real template)."""
    import re

    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from reviews.formats.markdown import render_markdown
    from scr.anonymise import anonymise

    printed = []
    for anchor, title, body in parts:
        html = render_markdown(anonymise(body, register, REFERENCE_DATE).text)
        if re.sub(r"<[^>]*>", "", html).strip():
            printed.append({"anchor": anchor, "html": mark_safe(html),  # noqa: S308
                            "title": anonymise(title, register, REFERENCE_DATE).text})
    return render_to_string("reviews/report_pdf.html", {
        "title": "Local Child Safeguarding Practice Review: Child K",
        "partnership": settings.PARTNERSHIP_NAME, "reference": "SCR-2019-001",
        "parts": printed, "confidential": False, "month": "June 2019", "version": 3})


# ---------------------------------------------------------------- renders in fresh processes

def _peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), read before it exits."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(work):  # type: ignore[no-untyped-def]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - started, time.process_time() - cpu_started


def _raw_render(html: str, *, tagged: bool) -> bytes:
    """WeasyPrint alone: the same HTML and stylesheets by ``file://`` URL, the default
    fetcher, a FontConfiguration per render (as the app makes one)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    assets = ROOT / "scr" / "pdf_assets"
    raw_html = html.replace("scr-asset:", assets.as_uri() + "/")
    base = (assets / "base.css").read_text().replace("scr-asset:", assets.as_uri() + "/")
    fonts = FontConfiguration()
    options: dict[str, object] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True} if tagged else {}
    return HTML(string=raw_html).write_pdf(
        stylesheets=[CSS(string=base, font_config=fonts)], font_config=fonts, **options)


def _child(mode: str, work_dir: str) -> None:
    """One render in a fresh interpreter; prints its timings and peak memory as JSON."""
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    folder = Path(work_dir)
    html = (folder / "report.html").read_text()
    out: dict[str, float | int | str] = {"mode": mode}
    if mode == "app":
        from scr.anonymise import leak_check_pages, pdf_pages
        from scr.pdf import html_to_pdf

        parts = [tuple(p) for p in json.loads((folder / "parts.json").read_text())]
        register = _register()
        built, out["html_s"], out["html_cpu_s"] = _timed(lambda: published_html(parts, register))
        out["same_html"] = str(built == html)
        pdf, out["render_s"], out["render_cpu_s"] = _timed(lambda: html_to_pdf(built))
        hits, out["leak_check_s"], out["leak_check_cpu_s"] = _timed(lambda: leak_check_pages(
            pdf_pages(pdf), register, allowed_names=[p.split(",")[0] for p in PEOPLE_IN_CLEAN_TEXT],
            allowed_dates=()))
        out["hits"] = len(hits)
        out["hit_list"] = "; ".join(f"p{h.page} {h.kind} {h.text!r}" for h in hits[:12])
        out["pages"] = len(pdf_pages(pdf))
    else:
        pdf, out["render_s"], out["render_cpu_s"] = _timed(
            lambda: _raw_render(html, tagged=mode == "raw-ua"))
    (folder / f"{mode}.pdf").write_bytes(pdf)
    out["bytes"] = len(pdf)
    out["vmhwm_mb"] = _peak_mb()
    print(json.dumps(out))


def _run_child(mode: str, work_dir: Path) -> dict:
    """Start one child, wait for it with ``os.wait4`` (that child's own rusage)."""
    child = subprocess.Popen([sys.executable, __file__, "--child", mode, str(work_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = child.stdout.read(), child.stderr.read()  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{mode} child failed:\n{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wait4_maxrss_mb"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--words", type=int, default=30_000)
    parser.add_argument("--pdf-out", type=Path, default=None)
    parser.add_argument("--warm", type=int, default=3,
                        help="renders each, alternating, in this one process (a warm worker)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    import django

    django.setup()
    from scr.anonymise import anonymise, unregistered_names

    rng = random.Random(12)
    register = _register()
    parts = report_parts(rng, args.words)
    source = "\n\n".join(body for _, _, body in parts)
    anonymise(source[:2000], register, REFERENCE_DATE)  # compile the register once (cached)
    result, anonymise_s, _ = _timed(lambda: anonymise(source, register, REFERENCE_DATE))
    possible = unregistered_names(source, register, ignore=PEOPLE_IN_CLEAN_TEXT)
    modes = ("raw", "raw-ua", "app")
    rows: dict[str, list[dict]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "parts.json").write_text(json.dumps(parts))
        (work / "report.html").write_text(published_html(parts, register))
        for round_number in range(args.rounds):
            order = modes if round_number % 2 == 0 else tuple(reversed(modes))
            for mode in order:
                rows[mode].append(_run_child(mode, work))
        if args.pdf_out:
            args.pdf_out.write_bytes((work / "app.pdf").read_bytes())
        html = (work / "report.html").read_text()
    warm: dict[str, list[tuple[float, float]]] = {"app": [], "raw-ua": []}
    if args.warm:
        from scr.pdf import html_to_pdf

        html_to_pdf(html)  # the worker's first render (fonts, imports) is not counted
        _raw_render(html, tagged=True)
        for _ in range(args.warm):
            warm["raw-ua"].append(_timed(lambda: _raw_render(html, tagged=True))[1:])
            warm["app"].append(_timed(lambda: html_to_pdf(html))[1:])

    def med(mode: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in rows[mode])

    app = rows["app"]
    print(f"report: {len(source.split())} words in {len(parts)} parts, {app[0]['pages']} pages, "
          f"{len(register)} subjects; rounds: {args.rounds} (alternating, fresh process each)")
    print(f"anonymiser on the whole text: {anonymise_s:.2f} s; {len(result.replacements)} "
          f"replacements, {len(result.uncertain)} uncertain, {len(result.skipped)} skipped; "
          f"possible unregistered names: {[p.name for p in possible]}")
    print(f"app HTML rebuilt identical in every child: {all(r['same_html'] == 'True' for r in app)}")
    print(f"{'step':28} {'wall s':>8} {'CPU s':>8}   peak MB (VmHWM / wait4 ru_maxrss)")
    for mode in modes:
        print(f"render {mode:21} {med(mode, 'render_s'):8.2f} {med(mode, 'render_cpu_s'):8.2f}   "
              f"{max(float(r['vmhwm_mb']) for r in rows[mode]):6.1f} / "
              f"{max(float(r['wait4_maxrss_mb']) for r in rows[mode]):6.1f}")
    print(f"{'app: anonymise + HTML':28} {med('app', 'html_s'):8.2f} {med('app', 'html_cpu_s'):8.2f}")
    print(f"{'app: leak check (text+check)':28} {med('app', 'leak_check_s'):8.2f} "
          f"{med('app', 'leak_check_cpu_s'):8.2f}   hits: {app[0]['hits']}")
    print(f"  (the anonymiser's uncertain forms are left as written, unsettled here, so the "
          f"leak check finds them: {app[0]['hit_list']})")
    for base in ("raw-ua", "raw"):
        print(f"render ratio app / {base}: {med('app', 'render_s') / med(base, 'render_s'):.2f} wall, "
              f"{med('app', 'render_cpu_s') / med(base, 'render_cpu_s'):.2f} CPU"
              + ("   (target <= 1.2)" if base == "raw-ua" else "   (tagging included)"))
    if args.warm:
        def warm_med(mode: str, index: int) -> float:
            return statistics.median(t[index] for t in warm[mode])

        print(f"warm worker, same process, alternating x{args.warm}: app {warm_med('app', 0):.2f} s "
              f"wall {warm_med('app', 1):.2f} s CPU, raw-ua {warm_med('raw-ua', 0):.2f} s wall "
              f"{warm_med('raw-ua', 1):.2f} s CPU; ratio {warm_med('app', 0) / warm_med('raw-ua', 0):.2f}"
              f" wall, {warm_med('app', 1) / warm_med('raw-ua', 1):.2f} CPU")
    whole = med("app", "html_s") + med("app", "render_s") + med("app", "leak_check_s")
    print(f"app whole path (anonymise, HTML, render, leak check): {whole:.2f} s wall; "
          f"ratio to raw-ua render alone: {whole / med('raw-ua', 'render_s'):.2f}")
    print("peak memory per child, max over rounds (target <= 300 MB): "
          + ", ".join(f"{m} {max(float(r['vmhwm_mb']) for r in rows[m]):.1f} MB" for m in modes))


if __name__ == "__main__":
    main()
