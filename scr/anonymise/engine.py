"""The anonymiser: text with real identities in, publishable text out, with its working.

``anonymise(text, register, reference_date)`` replaces, in one pass over the original
text (a replacement is never searched again):

- every form of every registered name with the person's pseudonym (scr.anonymise.variants,
  .register): any case, accents, apostrophes, hyphens, spacing and line breaks between
  the parts, possessives ("James'" → "Child A's");
- a date of birth, in any common format, with the person's age at ``reference_date``
  ("aged 4"), taking "born on", "date of birth:" or "DOB" before it along;
- registered addresses, postcodes, schools, NHS and National Insurance numbers,
  references, phone numbers and e-mail addresses with a neutral phrase in square
  brackets ("[address removed]", identifiers.REPLACEMENTS);
- NHS numbers (valid check digit), National Insurance numbers, postcodes, phone numbers
  and e-mail addresses that nobody registered, with the same phrases.

Whole words only: "Marsh" never touches "marshland". A name form whose every word is
also a common English word ("Rose", "Hope", "Mark Brown") is replaced only where it is
capitalised; a lower-case one ("hope") is left and listed in ``skipped`` for the
reviewer, and a capitalised one at the start of a sentence is replaced but flagged
``uncertain`` ("Hope was..." may be the word). A form two people share goes to the
stronger claim and is flagged too. Other full dates are left as they are (a report may
need them) and listed in ``findings``: the leak check will stop them in the PDF.

Overlaps are settled longest first ("12 Marsh Lane" is an address, not a surname).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from scr.anonymise.fold import Folded, fold, fold_key
from scr.anonymise.identifiers import REPLACEMENTS
from scr.anonymise.patterns import find_dates, find_generic
from scr.anonymise.register import (
    ALWAYS_PREFIXES,
    Claim,
    CompiledRegister,
    NameForm,
    Person,
    RegisterEntry,
    compile_register,
    decision_key,
)
from scr.anonymise.variants import INITIALS, NAME, PLURAL

__all__ = [
    "AnonymisedText",
    "Finding",
    "Replacement",
    "Skipped",
    "Uncertain",
    "age_phrase",
    "anonymise",
    "compiled",
    "context_of",
]

Register = Iterable[RegisterEntry] | CompiledRegister

_BLOCK_TAGS = re.compile(r"^</?(?:p|li|ul|ol|td|th|tr|h[1-6]|div|br|blockquote|caption|dt|dd|"
                         r"section|article|header|footer|table|body)\b", re.IGNORECASE)
_OPENERS = set(" \t\r\n\u00a0\"'“‘«([{*•·–—-\u2019\u201d")
_LEAD_IN = re.compile(r"(?:\b(?:born(?:\s+on)?|date\s+of\s+birth|dob|d\.o\.b\.?)\s*[:\-]?\s*)$")


@dataclass(frozen=True)
class Replacement:
    """One span of the original text and what it became."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str  # "name", "date_of_birth" or an identifier kind (identifiers.IDENTIFIER_KINDS)
    pseudonym: str | None  # whose it was; None for unregistered numbers and addresses
    uncertain: bool = False
    note: str = ""


@dataclass(frozen=True)
class Skipped:
    """A lower-case word that is also a registered name, left as it was."""

    start: int
    end: int
    text: str
    pseudonym: str
    context: str
    reason: str


@dataclass(frozen=True)
class Uncertain:
    """A name left as it was because whose it is (or whether it is a name) cannot be known:
    a form two people share with nothing in the sentence to say which ("Ms Marsh" when
    mother and aunt are both Ms Marsh), a title that fits nobody who has the name ("Mr
    Brown" when only the mother is Brown), an ordinary word at the start of a sentence
    ("Summer was hot"). A reviewer rewords it or adds a variant; the leak check stops it."""

    start: int
    end: int
    text: str
    candidates: tuple[str, ...]  # the pseudonyms it may be
    context: str
    reason: str


@dataclass(frozen=True)
class Finding:
    """Something left in the text that the leak check will stop (a full date)."""

    start: int
    end: int
    text: str
    kind: str
    context: str


@dataclass(frozen=True)
class AnonymisedText:
    """The publishable text and its working. ``uncertain`` are names left in the text
    because whose they are is not known (never guessed); ``flagged`` are replacements made
    with a note worth a look (another person has a weaker claim to the form)."""

    text: str
    replacements: tuple[Replacement, ...]
    skipped: tuple[Skipped, ...]
    findings: tuple[Finding, ...]
    uncertain: tuple[Uncertain, ...] = ()

    def __str__(self) -> str:
        return self.text

    @property
    def flagged(self) -> tuple[Replacement, ...]:
        return tuple(r for r in self.replacements if r.uncertain)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    replacement: str
    kind: str
    pseudonym: str | None
    priority: int
    uncertain: bool = False
    note: str = ""


def _signature(entry: RegisterEntry) -> tuple:
    return (entry.pseudonym, entry.full_name, tuple(entry.other_names), entry.date_of_birth,
            tuple(entry.identifiers), tuple(entry.variants_added), tuple(entry.variants_removed),
            entry.kind, entry.sex, entry.role, tuple(tuple(d) for d in entry.decided))


@lru_cache(maxsize=64)
def _compiled(signature: tuple) -> CompiledRegister:
    return compile_register(RegisterEntry(*fields) for fields in signature)


def compiled(register: Register) -> CompiledRegister:
    """The register compiled (cached by its content, so a page that pseudonymises many
    texts with one register compiles it once)."""
    if isinstance(register, CompiledRegister):
        return register
    return _compiled(tuple(_signature(e) for e in register))


def context_of(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    return re.sub(r"\s+", " ", f"{before}{text[start:end]}{after}").strip()


def age_phrase(born: date, on: date | None) -> str:
    if on is None or on < born:
        return "[date of birth removed]"
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if years >= 1:
        return f"aged {years}"
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if months >= 1:
        return f"aged {months} month{'s' if months != 1 else ''}"
    return "aged under 1 month"


def at_sentence_start(text: str, start: int) -> bool:
    """Nothing but opening punctuation, spaces and tags between ``start`` and the start of
    the text, a line, a block element or the end of a sentence."""
    index = start - 1
    while index >= 0:
        char = text[index]
        if char in "\n\r\u2028\u2029":
            return True
        if char == ">":
            opening = text.rfind("<", 0, index)
            if opening < 0:
                return False
            if _BLOCK_TAGS.match(text[opening:index + 1]):
                return True
            index = opening - 1
            continue
        if char in _OPENERS:
            index -= 1
            continue
        return char in ".!?:"
    return True


def _in_address_token(text: str, start: int, end: int) -> bool:
    """Inside an e-mail address, a user name or a web address ("kayden_brown@..."), where
    a lower-case name is no word of prose."""
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = end
    while right < len(text) and not text[right].isspace():
        right += 1
    token = text[left:right]
    return "@" in token or "_" in token or "://" in token


def _original_span(text: str, folded: Folded, start: int, end: int) -> tuple[int, int]:
    ostart, oend = folded.span(start, end)
    while oend < len(text) and unicodedata.combining(text[oend]):
        oend += 1  # a decomposed accent on the last letter
    return ostart, oend


# ------------------------------------------------------------------ names, and whose they are

_TITLE_RULES: dict[str, tuple[str, bool | None, bool]] = {
    # title → (sex, adult, professional)
    "mr": ("male", True, False), "mrs": ("female", True, False), "ms": ("female", True, False),
    "miss": ("female", None, False), "mx": ("", True, False), "master": ("male", False, False),
    "dr": ("", True, False), "prof": ("", True, False), "professor": ("", True, False),
    "rev": ("", True, False), "revd": ("", True, False), "sir": ("male", True, False),
    "dame": ("female", True, False), "lady": ("female", True, False),
    "lord": ("male", True, False), "cllr": ("", True, True), "judge": ("", True, True),
    "pc": ("", True, True), "dc": ("", True, True), "ds": ("", True, True),
    "di": ("", True, True), "dci": ("", True, True), "dsi": ("", True, True),
    "sgt": ("", True, True), "insp": ("", True, True), "det": ("", True, True),
    "nurse": ("", True, True)}
_TITLE_BEFORE = re.compile(r"(?<![a-z0-9'])(?P<title>" + "|".join(
    sorted(_TITLE_RULES, key=len, reverse=True)) + r")\.?\s+$")
# Words that say who someone is, as written before a name ("his mother, Ms Marsh"):
# → (the role a person must have, sex, adult).
_FAMILY_ROLES: dict[str, tuple[str, str, bool | None]] = {
    "mother": ("mother", "female", True), "mum": ("mother", "female", True),
    "mummy": ("mother", "female", True), "father": ("father", "male", True),
    "dad": ("father", "male", True), "daddy": ("father", "male", True),
    "stepfather": ("father", "male", True), "step-father": ("father", "male", True),
    "stepmother": ("mother", "female", True), "step-mother": ("mother", "female", True),
    "brother": ("brother", "male", None), "sister": ("sister", "female", None),
    "half-brother": ("brother", "male", None), "half-sister": ("sister", "female", None),
    "son": ("child", "male", None), "daughter": ("child", "female", None),
    "baby": ("child", "", False), "child": ("child", "", None),
    "grandmother": ("grandmother", "female", True), "nan": ("grandmother", "female", True),
    "nana": ("grandmother", "female", True), "nanny": ("grandmother", "female", True),
    "gran": ("grandmother", "female", True), "grandma": ("grandmother", "female", True),
    "grandfather": ("grandfather", "male", True), "grandad": ("grandfather", "male", True),
    "grandpa": ("grandfather", "male", True), "aunt": ("aunt", "female", True),
    "auntie": ("aunt", "female", True), "uncle": ("uncle", "male", True),
    "cousin": ("cousin", "", None)}
# Relations that say sex and adulthood but not who in the register ("her partner").
_LOOSE_ROLES: dict[str, tuple[str, bool | None]] = {
    "partner": ("", True), "boyfriend": ("male", True), "girlfriend": ("female", True),
    "husband": ("male", True), "wife": ("female", True), "carer": ("", True),
    "friend": ("", None), "neighbour": ("", True), "lodger": ("", True)}
_PROFESSIONAL_ROLES = (
    "family support worker", "support worker", "social worker", "youth worker", "key worker",
    "keyworker", "health visitor", "school nurse", "police officer", "probation officer",
    "family worker", "early help worker", "independent reviewing officer", "head teacher",
    "headteacher", "class teacher", "teacher", "midwife", "paediatrician", "gp", "doctor",
    "nurse", "detective", "officer", "practitioner", "consultant", "therapist", "psychologist",
    "psychiatrist", "senco", "designated safeguarding lead", "manager", "team manager",
    "advocate", "guardian", "worker")
_ROLE_WORDS_RE = "|".join(re.escape(r) for r in sorted(
    [*_FAMILY_ROLES, *_LOOSE_ROLES, *_PROFESSIONAL_ROLES], key=len, reverse=True))
_ROLE_BEFORE = re.compile(
    r"(?P<lead>(?<![a-z0-9'])(?P<det>the|his|her|their|its|our|my|your|a|an|[a-z]+'s?)\s+)?"
    r"(?P<adj>(?<![a-z0-9'])[a-z\-]+\s+)?"
    rf"(?<![a-z0-9'\-])(?P<role>{_ROLE_WORDS_RE})(?P<sep>\s*,\s*|\s*:\s*|\s+)$")
_KNOWN_ROLES = frozenset([*_FAMILY_ROLES, *_LOOSE_ROLES, *_PROFESSIONAL_ROLES])
_JUNIOR = re.compile(r"^,?\s*(?P<which>jr|jnr|junior|sr|snr|senior)\b\.?")
_FAMILY_NEXT = re.compile(r"^(?P<gap>\s+)(?:family|families|household|home|children|siblings|"
                          r"parents|brothers|sisters|twins)\b")
_THE_BEFORE = re.compile(r"(?<![a-z0-9'])the\s+$")
_ASIDE_OPEN = re.compile(
    r"\s*(?:\(\s*|,\s*(?=(?:also\s+)?known|aka|a\.k\.a|called|nicknamed))"
    r"(?:(?:also\s+)?known\s+as|aka|a\.k\.a\.?|called|nicknamed|n[ée]e|formerly|previously|"
    r"referred\s+to\s+(?:here\s+|below\s+|in\s+this\s+report\s+)?as)?\s*:?\s*[\"'“‘’]?\s*")
_ASIDE_CLOSE = re.compile(r"\s*[\"'”’]?\s*(?:in\s+this\s+report\s*)?\)")
_ASIDE_COMMA_CLOSE = re.compile(r"\s*[\"'”’]?\s*(?:in\s+this\s+report\s*)?(?:,|(?=[.;:!?)]|$))")

FIT, MAYBE, FAILS = 2, 1, 0


@dataclass
class _Found:
    """One name form found in the text, while its owner is being decided."""

    start: int  # original span, the possessive's apostrophe included
    end: int
    fstart: int  # folded span of the name itself
    fend: int
    form: NameForm
    original: str
    apostrophe: str  # "’" of "James’ coat" ("James’s"), else ""
    owner: str | None = None
    by_neighbour: bool = False
    decided: bool = False  # by a reviewer (RegisterEntry.decided)


def _decided(register: CompiledRegister, text: str, start: int, end: int) -> str | None:
    """Whose a reviewer decided the name at ``start:end`` is (here, or wherever the form is
    undecided), or None."""
    if not register.decided:
        return None
    form, context = decision_key(text[start:end], context_of(text, start, end))
    return register.decided.get((form, context)) or register.decided.get((form, ""))


@dataclass(frozen=True)
class _Context:
    title: str = ""
    sex: str = ""
    adult: bool | None = None
    professional: bool = False
    role: str = ""  # as written ("mother", "social worker")
    junior: str = ""  # "junior" or "senior"

    def __bool__(self) -> bool:
        return bool(self.title or self.role or self.junior)

    def describe(self) -> str:
        return ", ".join(filter(None, [self.title and f"the title {self.title.title()}",
                                       self.role and f"“{self.role}” before it",
                                       self.junior and f"“{self.junior}” after it"]))


def _context(folded: str, found: _Found) -> _Context:
    before = folded[max(0, found.fstart - 80):found.fstart]
    sex, adult, professional, title, role = "", None, False, "", ""
    title_match = _TITLE_BEFORE.search(before)
    if title_match:
        title = title_match.group("title")
        sex, adult, professional = _TITLE_RULES[title]
        before = before[:title_match.start()]
    role_match = _ROLE_BEFORE.search(before)
    if role_match:
        role = role_match.group("role")
        adjective = (role_match.group("adj") or "").strip()
        if f"{adjective} {role}" in _KNOWN_ROLES:
            role = f"{adjective} {role}"  # "social worker", not "worker"
    junior = ""
    after = _JUNIOR.match(folded[found.fend:found.fend + 12])
    if after:
        junior = "junior" if after.group("which") in ("jr", "jnr", "junior") else "senior"
    return _Context(title, sex, adult, professional, role, junior)


def _status(person: Person, context: _Context, on: date | None) -> tuple[int, str]:
    """Does the person fit the sentence: FIT, MAYBE (nothing known against), FAILS (why)."""
    statuses: list[int] = []
    why = ""
    sex, adult, professional = context.sex, context.adult, context.professional
    role = context.role
    if role in _FAMILY_ROLES:
        needed, role_sex, role_adult = _FAMILY_ROLES[role]
        sex, adult = sex or role_sex, adult if adult is not None else role_adult
        if needed in person.roles:
            statuses.append(FIT)
        elif person.kind == "professional" or person.roles & {
                "mother", "father", "brother", "sister", "child", "grandmother", "grandfather",
                "aunt", "uncle", "cousin", "parent"}:
            statuses.append(FAILS)
            why = why or f"{person.pseudonym} is not the {role}"
        else:
            statuses.append(MAYBE)
    elif role in _LOOSE_ROLES:
        role_sex, role_adult = _LOOSE_ROLES[role]
        sex, adult = sex or role_sex, adult if adult is not None else role_adult
    elif role:
        professional = True
        words = set(role.split())
        if person.kind and person.kind != "professional":
            statuses.append(FAILS)
            why = why or f"{person.pseudonym} is not a professional"
        elif role in person.roles or words & person.roles - {"worker", "officer", "lead"}:
            statuses.append(FIT)
        elif person.kind == "professional" and person.roles - {"professional"}:
            statuses.append(FAILS)
            why = why or f"{person.pseudonym} is not the {role}"
        else:
            statuses.append(MAYBE)
    if sex:
        if person.sex == sex:
            statuses.append(FIT)
        elif person.sex:
            statuses.append(FAILS)
            why = why or f"{person.pseudonym} is {person.sex}"
        else:
            statuses.append(MAYBE)
    if adult is not None:
        is_adult = person.adult(on)
        if is_adult is adult:
            statuses.append(FIT)
        elif is_adult is None:
            statuses.append(MAYBE)
        else:
            statuses.append(FAILS)
            why = why or f"{person.pseudonym} is {'an adult' if is_adult else 'a child'}"
    if professional and not role:
        if person.kind == "professional":
            statuses.append(FIT)
        elif person.kind:
            statuses.append(FAILS)
            why = why or f"{person.pseudonym} is not a professional"
        else:
            statuses.append(MAYBE)
    return (min(statuses) if statuses else FIT), why


def _youngest(people: list[Person], junior: bool) -> Person | None:
    """The younger (``junior``) or the older of people who share a name, if known."""
    if all(p.born for p in people):
        ordered = sorted(people, key=lambda p: p.born or date.min, reverse=junior)
        if len(ordered) > 1 and ordered[0].born == ordered[1].born:
            return None
        return ordered[0]
    rank = {"child": 0, "sibling": 1, "relative": 2, "adult": 2, "parent": 2,
            "professional": 2}
    ranked = sorted(people, key=lambda p: rank.get(p.kind, -1), reverse=not junior)
    known = [p for p in ranked if p.kind in rank]
    if len(known) != len(people) or len(people) < 2:
        return None
    if rank[known[0].kind] == rank[known[1].kind]:
        return None
    return known[0]


def _decide(found: _Found, folded: str, register: CompiledRegister,
            on: date | None) -> tuple[str | None, str]:
    """Whose the name is, or None and why not (see the module docstring)."""
    form = found.form
    tiers: dict[int, list[str]] = {}
    for claim in form.claims or (Claim(form.pseudonym, form.tier, form.source),):
        tiers.setdefault(claim.tier, []).append(claim.pseudonym)
    context = _context(folded, found)
    groups = [tiers[t] for t in sorted(tiers)]
    if not context:
        owners = groups[0]
        if len(owners) == 1:
            return owners[0], ""
        return None, (f"shared by {' and '.join(owners)}, and nothing in the sentence says "
                      "whose")
    whys: list[str] = []
    for owners in groups:
        people = [register.people.get(p) or Person(p, 0, "", "", None, frozenset(), False, False)
                  for p in owners]
        if context.junior and len(people) > 1:
            chosen = _youngest(people, context.junior == "junior")
            if chosen is not None:
                return chosen.pseudonym, ""
        rated = [(p, *_status(p, context, on)) for p in people]
        fitting = [(p, s) for p, s, _ in rated if s != FAILS]
        whys += [why for _, s, why in rated if s == FAILS and why]
        if not fitting:
            continue
        if len(fitting) == 1 and (fitting[0][1] == FIT or len(people) == 1):
            return fitting[0][0].pseudonym, ""
        names = " and ".join(p.pseudonym for p, _ in fitting)
        return None, f"{context.describe()} may be {names}"
    return None, (f"{context.describe()} fits nobody registered with this name"
                  + (f" ({'; '.join(whys)})" if whys else ""))


def _possessive(text: str, folded: Folded, end: int, name: str) -> tuple[int, str]:
    """Where a name ends in the original and the apostrophe of a bare possessive ("James’"
    → "Child A’s")."""
    after = folded.text[end:end + 2]
    if name.endswith("s") and after[:1] == "'" and not after[1:2].isalnum():
        apostrophe_at = folded.origin[end]
        stop = folded.origin[end + 1] if end + 1 < len(folded.text) else len(text)
        apostrophe = text[apostrophe_at:stop].rstrip()
        return apostrophe_at + len(apostrophe), apostrophe
    return -1, ""


def _capitals(original: str) -> bool:
    letters = [c for c in original if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _in_heading(text: str, start: int, end: int) -> bool:
    """A name in capitals beside another word in capitals ("KAYLA'S STORY")."""
    before = re.findall(r"[^\W\d_]+", re.sub(r"<[^>]*>", " ", text[max(0, start - 80):start]))
    after = re.findall(r"[^\W\d_]+", re.sub(r"<[^>]*>", " ", text[end:end + 80]))
    neighbours = [w for w in before[-1:] + [a for a in after if a.lower() != "s"][:1]]
    return any(len(w) > 1 and w.isupper() for w in neighbours)


def _core(pseudonym: str) -> tuple[str, bool]:
    """A pseudonym without its number or letter, and whether it had one: ("social worker",
    True) for "Social Worker 1"; ("mother", False) for "Mother"."""
    words = fold_key(pseudonym).split()
    if len(words) > 1 and (words[-1].isdigit() or len(words[-1]) == 1):
        return " ".join(words[:-1]), True
    return " ".join(words), False


def _names(text: str, folded: Folded, register: CompiledRegister, skipped: list[Skipped],
           uncertain: list[Uncertain], on: date | None, guess: bool) -> list[_Candidate]:
    founds: list[_Found] = []
    for match in register.find_names(folded.text):
        form = register.form(match.group())
        start, end = _original_span(text, folded, match.start(), match.end())
        possessive_end, apostrophe = _possessive(text, folded, match.end(), match.group())
        if possessive_end >= 0:
            end = possessive_end
        original = text[start:end]
        if form.form == INITIALS and not _capitals(original):
            continue  # "kb" in a word, "a.m.": initials count in capitals only
        first_letter = next((c for c in original if c.isalpha()), "")
        if form.form == PLURAL and form.common and not _THE_BEFORE.search(
                folded.text[max(0, match.start() - 6):match.start()]):
            continue  # "Does the plan work?": the family called Doe is "the Does"
        if form.common and not _in_address_token(text, start, end):
            lower = not first_letter.isupper()
            if lower or (" " not in form.key and form.form == NAME
                         and at_sentence_start(text, start) and not guess):
                owner = _decided(register, text, start, end)
                if owner is not None:
                    founds.append(_Found(start, end, match.start(), match.end(), form, original,
                                         apostrophe, owner, decided=True))
                elif lower:
                    skipped.append(Skipped(start, end, original, form.pseudonym,
                                           context_of(text, start, end),
                                           "a common word in lower case, left as it is"))
                else:
                    uncertain.append(Uncertain(
                        start, end, original, tuple(c.pseudonym for c in form.equal_claims()),
                        context_of(text, start, end),
                        "an ordinary word at the start of a sentence: the word or the name?"))
                continue
        founds.append(_Found(start, end, match.start(), match.end(), form, original, apostrophe))
    if guess:
        for found in founds:
            found.owner = found.owner or found.form.pseudonym
    else:
        _decide_all(text, folded, founds, register, uncertain, on)
    return [c for found in founds if found.owner is not None
            for c in [_candidate(text, folded, found, register, guess)]]


def _decide_all(text: str, folded: Folded, founds: list[_Found], register: CompiledRegister,
                uncertain: list[Uncertain], on: date | None) -> None:
    """Each name's owner: the only claimant; the owner of the name part beside it ("Kayla"
    makes "Baker" in "Kayla Baker" hers); else the context (``_decide``)."""
    undecided: dict[int, str] = {}
    for found in founds:
        if found.owner is not None:  # a reviewer decided it
            continue
        if found.form.form == PLURAL or _FAMILY_NEXT.match(folded.text[found.fend:]):
            found.owner = found.form.pseudonym  # the family: whose does not matter
            continue
        claims = found.form.equal_claims()
        if len(claims) == 1 and not _context(folded.text, found):
            found.owner = claims[0].pseudonym
    changed = True
    while changed:
        changed = False
        for index, found in enumerate(founds):
            if found.owner is not None:
                continue
            everyone = {c.pseudonym for c in found.form.claims} or {found.form.pseudonym}
            for neighbour in (founds[index - 1] if index else None,
                              founds[index + 1] if index + 1 < len(founds) else None):
                if neighbour is None or neighbour.owner not in everyone:
                    continue
                gap = (text[neighbour.end:found.start] if neighbour.start < found.start
                       else text[found.end:neighbour.start])
                if _only_spaces(gap):
                    found.owner, found.by_neighbour, changed = neighbour.owner, True, True
                    break
    for index, found in enumerate(founds):
        if found.owner is not None:
            continue
        owner, why = _decide(found, folded.text, register, on)
        if owner is None:
            owner = _decided(register, text, found.start, found.end)
            found.decided = owner is not None
            if owner is None:
                undecided[index] = why
        found.owner = owner
    for index, why in undecided.items():
        found = founds[index]
        uncertain.append(Uncertain(found.start, found.end, found.original,
                                   tuple(c.pseudonym for c in found.form.equal_claims()),
                                   context_of(text, found.start, found.end), why))


def _candidate(text: str, folded: Folded, found: _Found, register: CompiledRegister,
               guess: bool) -> _Candidate:
    """The replacement of a name whose owner is decided, as English: a title before a role
    pseudonym dropped, a role word not doubled, a prefix taken along, capitals kept."""
    form, owner = found.form, found.owner or found.form.pseudonym
    person = register.people.get(owner)
    start, end, fstart = found.start, found.end, found.fstart
    note, flagged = "", False
    others = [c.pseudonym for c in form.claims if c.pseudonym != owner]
    if others and form.form != PLURAL:
        flagged = True
        note = f"also a name of {', '.join(others)}"
        if owner != form.pseudonym or len(form.equal_claims()) > 1:
            note += ("; decided by the name beside it" if found.by_neighbour
                     else "; decided by a reviewer" if found.decided
                     else "; decided by the sentence")
    if form.tier == 2 and form.form == NAME:
        note = "; ".join(filter(None, [note, form.source]))
    if found.decided and "decided by a reviewer" not in note:
        flagged = True
        note = "; ".join(filter(None, [note, "decided by a reviewer"]))
    suffix = f"{found.apostrophe}s" if found.apostrophe else ""
    family = form.form == PLURAL
    if family:
        replacement = "family" + suffix
        if not _THE_BEFORE.search(folded.text[max(0, fstart - 8):fstart]):
            replacement = ("The " if at_sentence_start(text, start) else "the ") + replacement
        note = "; ".join(filter(None, ["the family by its surname", note]))
        return _Candidate(start, end, replacement, "name", owner, 2, False, note)
    next_family = _FAMILY_NEXT.match(folded.text[found.fend:])
    if next_family and _THE_BEFORE.search(folded.text[max(0, fstart - 8):fstart]) \
            and "surname" in form.source:
        # "the Baker family" → "the family"
        gap_end = folded.origin[found.fend + len(next_family.group("gap")) - 1] + 1
        return _Candidate(start, gap_end, "", "name", owner, 2, False,
                          "the family by its surname")
    replacement = owner + suffix
    if guess:
        return _Candidate(start, end, replacement, "name", owner, 2, flagged, note)
    junior = _JUNIOR.match(folded.text[found.fend:found.fend + 12])
    if junior and not suffix and (found.owner != form.pseudonym or len(form.equal_claims()) > 1):
        end = folded.origin[found.fend + junior.end() - 1] + 1  # "Jr" said whose: it goes
    # A prefix written apart goes with the name ("Ó" of "Ó Súilleabháin").
    before = folded.text[max(0, fstart - 12):fstart]
    prefix = re.search(r"(?<![a-z0-9'])(?P<p>[a-z]+'?)\s?$", before)
    if prefix and prefix.group("p") in register.particles and not before.endswith("  "):
        at = folded.origin[fstart - len(prefix.group())]
        if text[at:at + 1].isupper() or prefix.group("p") not in ALWAYS_PREFIXES:
            start, fstart = at, fstart - len(prefix.group())
    # A title before a role pseudonym goes: "Ms Social Worker 1" is no English.
    title = _TITLE_BEFORE.search(folded.text[max(0, fstart - 16):fstart])
    if title and person is not None and (person.role_pseudonym or person.titled):
        fstart -= len(title.group())
        start = folded.origin[fstart]
    # A role word beside its own pseudonym is not doubled: "his mother Ms Marsh" is "his
    # mother"; "the social worker, Ms Jones," is "Social Worker 1".
    role = _ROLE_BEFORE.search(folded.text[max(0, fstart - 60):fstart])
    core, numbered = _core(owner)
    if role and role.group("role"):
        written = role.group("role")
        adjective = (role.group("adj") or "").strip()
        phrase = {written, f"{adjective} {written}".strip()}
        comma = "," in role.group("sep")
        trailing = re.match(r"\s*,", text[end:]) if comma else None
        if core in phrase and not numbered:
            cut = fstart - len(role.group("sep"))
            start = folded.origin[cut] if cut < len(folded.text) else start
            if trailing and not suffix:
                end += len(trailing.group())  # "a grandmother, Mrs Smith, helped"
            replacement = suffix
            note = "; ".join(filter(None, [note, f"the {written} named: the name dropped"]))
        elif core in phrase and numbered:
            lead = role.start("lead") if role.group("lead") else role.start("adj") \
                if role.group("adj") and f"{adjective} {written}" == core else role.start("role")
            start = folded.origin[max(0, fstart - 60) + lead]
            if trailing:
                end += len(trailing.group())
            note = "; ".join(filter(None, [note, f"“{role.group().strip(' ,')}” and the name"
                                                 " made one"]))
    if replacement and _capitals(text[start:end]) and _in_heading(text, start, end):
        replacement = replacement.upper()
    return _Candidate(start, end, replacement, "name", owner, 2, flagged, note)


def _asides(text: str, candidates: list[_Candidate], register: CompiledRegister
            ) -> list[_Candidate]:
    """An aside that only names the same person again goes: "Mr P (known as Mr P)" and
    "Sibling 1 (Sibling 1)" are "Mr P" and "Sibling 1"."""
    merged: list[_Candidate] = []
    skip = -1
    for index, c in enumerate(candidates):
        if index <= skip:
            continue
        if c.kind != "name" or c.pseudonym is None:
            merged.append(c)
            continue
        opening = _ASIDE_OPEN.match(text, c.end)
        closing = None
        if opening and opening.end() > c.end:
            bracket = "(" in opening.group()
            close = _ASIDE_CLOSE if bracket else _ASIDE_COMMA_CLOSE
            following = candidates[index + 1] if index + 1 < len(candidates) else None
            if following and following.start == opening.end() and following.kind == "name" \
                    and following.pseudonym == c.pseudonym:
                closing = close.match(text, following.end)
                if closing:
                    skip = index + 1
            else:
                written = re.match(r"(?:(?:mr|mrs|ms|miss|mx|dr)\.?\s+)?" + re.escape(
                    c.pseudonym) + r"(?![^\W_])", text[opening.end():], re.IGNORECASE)
                if written:
                    closing = close.match(text, opening.end() + written.end())
        if closing:
            merged.append(_Candidate(c.start, closing.end(), c.replacement, c.kind, c.pseudonym,
                                     c.priority, c.uncertain, "; ".join(filter(None, [
                                         c.note, "an aside naming the same person removed"]))))
            continue
        merged.append(c)
    return merged


def _dates_of_birth(text: str, folded: Folded, register: CompiledRegister,
                    reference_date: date | None) -> tuple[list[_Candidate], list[Finding]]:
    found, findings = [], []
    for match in find_dates(folded.text, loose=True):
        start, end = _original_span(text, folded, match.start, match.end)
        owners = [(d, p) for d in match.dates for p in register.dates_of_birth.get(d, ())]
        if not owners:
            if match.kind == "date":  # "3.4.15" is a paragraph unless it is a birthday
                findings.append(Finding(start, end, text[start:end], "date",
                                        context_of(text, start, end)))
            continue
        born, pseudonym = owners[0]
        lead_in = _LEAD_IN.search(folded.text[max(0, match.start - 30):match.start])
        phrase = age_phrase(born, reference_date)
        if lead_in and lead_in.group():
            start = folded.origin[match.start - len(lead_in.group())]
        elif reference_date is not None and born <= reference_date:
            phrase = f"[date of birth, {phrase}]"  # "On [date of birth, aged 4] she..."
        note = f"also the date of birth of {', '.join(p for _, p in owners[1:])}" \
            if len(owners) > 1 else ""
        found.append(_Candidate(start, end, phrase, "date_of_birth",
                                pseudonym, 0, len(owners) > 1, note))
    return found, findings


def _identifiers(text: str, folded: Folded, register: CompiledRegister,
                 generic: bool) -> list[_Candidate]:
    found = []
    for identifier, match in register.identifier_matches(folded.text):
        start, end = _original_span(text, folded, match.start(), match.end())
        found.append(_Candidate(start, end, REPLACEMENTS[identifier.kind], identifier.kind,
                                identifier.pseudonym, 0))
    if generic:
        for generic_match in find_generic(folded.text, dates=False):
            start, end = _original_span(text, folded, generic_match.start, generic_match.end)
            found.append(_Candidate(start, end, REPLACEMENTS[generic_match.kind],
                                    generic_match.kind, None, 1))
    return found


def _only_spaces(gap: str) -> bool:
    """Spaces, dashes or invisible characters only ("&nbsp;" counts as a space)."""
    return bool(gap) and not fold(gap).text.strip(" -")


def _settle(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest first, then the stronger kind; an overlapping shorter span is dropped. Two
    parts of one person's name side by side ("Amelia Marsh", where the register has
    "Amelia Rose Marsh-O'Neill") become one replacement."""
    accepted: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.priority, c.start)):
        if all(candidate.end <= a.start or a.end <= candidate.start for a in accepted):
            accepted.append(candidate)
    merged: list[_Candidate] = []
    for candidate in sorted(accepted, key=lambda c: c.start):
        last = merged[-1] if merged else None
        if (last is not None and last.kind == candidate.kind == "name"
                and last.pseudonym == candidate.pseudonym and last.replacement == last.pseudonym
                and _only_spaces(text[last.end:candidate.start])):
            merged[-1] = _Candidate(last.start, candidate.end, candidate.replacement, "name",
                                    last.pseudonym, 2, last.uncertain and candidate.uncertain,
                                    "; ".join(filter(None, {last.note: 0, candidate.note: 0})))
            continue
        merged.append(candidate)
    return merged


def anonymise(text: str, register: Register, reference_date: date | None = None, *,
              generic: bool = True, guess: bool = False) -> AnonymisedText:
    """``text`` made publishable (see the module docstring). ``reference_date`` is when
    ages are counted (the date of the incident, usually) and who is an adult; without it a
    date of birth is removed rather than turned into an age. ``generic=False`` leaves
    unregistered numbers and addresses alone. ``guess=True`` is the display
    pseudonymiser's rule (scr.pseudonymise), for a reader who may not see identities: a
    form two people share goes to the strongest claim, then the person listed first, and a
    common word at a sentence start is replaced (both flagged), never left as a name; the
    text is otherwise left as written."""
    register = compiled(register)
    if not text:
        return AnonymisedText(text or "", (), (), ())
    folded = fold(text)
    skipped: list[Skipped] = []
    uncertain: list[Uncertain] = []
    births, findings = _dates_of_birth(text, folded, register, reference_date)
    candidates = [*_identifiers(text, folded, register, generic), *births,
                  *_names(text, folded, register, skipped, uncertain,
                          reference_date or date.today(), guess)]
    accepted = _settle(text, candidates)
    if not guess:
        accepted = _asides(text, accepted, register)
    pieces, replacements, cursor = [], [], 0
    for c in accepted:
        pieces.append(text[cursor:c.start])
        pieces.append(c.replacement)
        replacements.append(Replacement(c.start, c.end, text[c.start:c.end], c.replacement,
                                        c.kind, c.pseudonym, c.uncertain, c.note))
        cursor = c.end
    pieces.append(text[cursor:])

    def outside(start: int, end: int) -> bool:
        return all(end <= c.start or c.end <= start for c in accepted)

    return AnonymisedText(
        "".join(pieces), tuple(replacements),
        tuple(s for s in skipped if outside(s.start, s.end)),
        tuple(f for f in findings if outside(f.start, f.end)),
        tuple(u for u in sorted(uncertain, key=lambda u: u.start) if outside(u.start, u.end)))
