"""The register as the anonymiser sees it, compiled once into what finds each person.

``RegisterEntry`` is the pure, text-only view of one subject (reviews builds them from
its ``Subject`` rows: ``reviews.selectors.review_register``). ``compile_register`` turns
a register into a ``CompiledRegister``: for each first word of a name form, one regular
expression of the forms that start with it, longest first (the text is read word by
word, not tried at every character), and one expression per identifier.

Who a form two people share belongs to (siblings' surname, a nickname that is also
another person's name) is not settled here: every claim is kept, strongest first (a typed
name beats a part of a name, which beats a generated nickname), and the anonymiser decides
by the sentence around it (scr.anonymise.engine) or reports it as uncertain.

``Person`` is what the context can be checked against: the kind of person (child,
sibling, parent, relative, adult, professional), sex, whether an adult (from the date of
birth at the reference date, else from the kind) and the role words of the person
("mother", "social worker"), each given by ``RegisterEntry`` or read from the pseudonym
("Mother" is a parent and female, "Social Worker 1" a professional). Unknown stays
unknown: nothing is guessed from a given name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from scr.anonymise.fold import fold_key
from scr.anonymise.identifiers import Identifier, identifier_patterns
from scr.anonymise.variants import INITIALS, NAME, Variant, name_variants
from scr.anonymise.words import is_common_word

__all__ = ["ALWAYS_PREFIXES", "Claim", "CompiledRegister", "FormPatterns", "NameForm", "Person",
           "RegisterEntry", "compile_register", "decision_key", "person_of"]

_WORD = r"[^\W_]"


@dataclass(frozen=True)
class RegisterEntry:
    """One person in the pseudonym register, as text only.

    The first three fields are the original pseudonymiser's (``scr.pseudonymise``);
    the rest are optional, so ``RegisterEntry("Child A", "Kayden Smith")`` still works.
    ``variants_added`` and ``variants_removed`` are a reviewer's corrections to the
    generated name variants (scr.anonymise.variants).

    ``kind`` is the subject's kind (``Subject.Kind``: "child", "sibling", "parent",
    "relative", "adult", "professional"), ``sex`` "female", "male" or "" (not known),
    ``role`` the person's role in words ("mother", "maternal grandmother", "social
    worker"): the anonymiser checks a shared name against the sentence with them ("Ms
    Marsh" is not the child). Left empty, they are read from the pseudonym where it says
    ("Mother", "Sibling 1", "Social Worker 1").

    ``decided`` are the places a reviewer said a name the anonymiser could not settle (an
    ``Uncertain`` or ``Skipped`` form) is this person's: each (the form as written, the
    context it was reported with), or (form, "") for wherever that form is left undecided.
    The anonymiser then replaces it there with this pseudonym; everywhere else it decides as
    before."""

    pseudonym: str
    full_name: str
    other_names: Sequence[str] = field(default_factory=tuple)
    date_of_birth: date | None = None
    identifiers: Sequence[Identifier] = field(default_factory=tuple)
    variants_added: Sequence[str] = field(default_factory=tuple)
    variants_removed: Sequence[str] = field(default_factory=tuple)
    kind: str = ""
    sex: str = ""
    role: str = ""
    decided: Sequence[tuple[str, str]] = field(default_factory=tuple)

    def variants(self) -> list[Variant]:
        return _variants(self.full_name, tuple(self.other_names), tuple(self.variants_added),
                         tuple(self.variants_removed))


@lru_cache(maxsize=512)
def _variants(full_name: str, other_names: tuple[str, ...], added: tuple[str, ...],
              removed: tuple[str, ...]) -> list[Variant]:
    return name_variants(full_name, other_names, added, removed)


# Words of a pseudonym or a role, and what they say of the person.
KIND_WORDS = {
    "child": "child", "baby": "child", "infant": "child", "son": "child", "daughter": "child",
    "sibling": "sibling", "brother": "sibling", "sister": "sibling", "half-brother": "sibling",
    "half-sister": "sibling", "stepbrother": "sibling", "stepsister": "sibling",
    "mother": "parent", "father": "parent", "parent": "parent", "stepfather": "parent",
    "stepmother": "parent", "step-father": "parent", "step-mother": "parent", "mum": "parent",
    "dad": "parent", "grandmother": "relative", "grandfather": "relative",
    "grandparent": "relative", "aunt": "relative", "uncle": "relative", "cousin": "relative",
    "relative": "relative", "nan": "relative", "grandma": "relative", "grandad": "relative",
    "adult": "adult", "partner": "adult", "boyfriend": "adult", "girlfriend": "adult",
    "lodger": "adult", "friend": "adult", "neighbour": "adult",
}
PROFESSIONAL_WORDS = frozenset({
    "worker", "officer", "nurse", "gp", "doctor", "teacher", "visitor", "midwife", "practitioner",
    "manager", "paediatrician", "consultant", "detective", "constable", "sergeant", "inspector",
    "headteacher", "head", "therapist", "psychologist", "psychiatrist", "clinician", "advocate",
    "guardian", "registrar", "surgeon", "paramedic", "dentist", "pharmacist", "senco", "dsl",
    "professional", "clinical", "keyworker", "key", "mentor", "counsellor", "coordinator",
    "co-ordinator", "lead", "supervisor", "assistant", "receptionist", "solicitor", "judge",
    "magistrate", "police", "pc", "dc", "ds", "sw", "hv", "iro", "lado", "mash"})
FEMALE_WORDS = frozenset({"mother", "sister", "grandmother", "aunt", "daughter", "girl", "woman",
                          "stepmother", "step-mother", "niece", "wife", "mum", "nan", "grandma",
                          "half-sister", "stepsister", "girlfriend", "female"})
MALE_WORDS = frozenset({"father", "brother", "grandfather", "uncle", "son", "boy", "man",
                        "stepfather", "step-father", "nephew", "husband", "dad", "grandad",
                        "half-brother", "stepbrother", "boyfriend", "male"})
ADULT_KINDS = frozenset({"parent", "adult", "professional"})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "master", "dr", "prof", "professor", "pc",
                    "dc", "ds", "di", "dci", "dsi", "sgt", "insp", "det", "nurse", "rev", "revd",
                    "sir", "dame", "lady", "lord", "cllr", "judge"})


@dataclass(frozen=True)
class Person:
    """What the sentence around a name is checked against (see the module docstring)."""

    pseudonym: str
    order: int
    kind: str  # "" when not known
    sex: str  # "female", "male" or ""
    born: date | None
    roles: frozenset[str]  # folded role words: "mother", "social worker", "worker"
    titled: bool  # the pseudonym starts with a title ("Mr P")
    role_pseudonym: bool  # the pseudonym is a role ("Mother", "Social Worker 1", "Child K")

    def adult(self, on: date | None) -> bool | None:
        if self.born is not None and on is not None and on >= self.born:
            return (on.year - self.born.year - ((on.month, on.day) < (self.born.month,
                                                                      self.born.day))) >= 18
        if self.kind in ADULT_KINDS or self.roles & {"grandmother", "grandfather", "grandparent",
                                                      "nan", "grandma", "grandad"}:
            return True
        if self.kind == "child":
            return False
        return None


def _role_words(text: str) -> list[str]:
    return [w for w in fold_key(text).replace("-", " ").split() if w]


def person_of(entry: RegisterEntry, order: int = 0) -> Person:
    """The person an entry is, with what its pseudonym says where the entry does not."""
    words = _role_words(entry.pseudonym)
    role_words = _role_words(entry.role)
    said = [w for w in role_words + words if w in KIND_WORDS or w in PROFESSIONAL_WORDS
            or w in FEMALE_WORDS or w in MALE_WORDS]
    kind = (entry.kind or "").strip().lower()
    if not kind:
        if any(w in PROFESSIONAL_WORDS for w in said):
            kind = "professional"
        else:
            kind = next((KIND_WORDS[w] for w in said if w in KIND_WORDS), "")
    sex = (entry.sex or "").strip().lower()
    sex = {"f": "female", "m": "male", "woman": "female", "man": "male", "girl": "female",
           "boy": "male"}.get(sex, sex)
    if sex not in ("female", "male"):
        sex = ("female" if any(w in FEMALE_WORDS for w in said) else
               "male" if any(w in MALE_WORDS for w in said) else "")
    roles = set(said)
    if role_words:
        roles.add(" ".join(role_words))
    plain = [w for w in words if not (w.isdigit() or len(w) == 1)]
    if plain:
        roles.add(" ".join(plain))
    # What the kind and sex make a person: a parent who is female is a mother.
    relation = {("parent", "female"): "mother", ("parent", "male"): "father",
                ("sibling", "female"): "sister", ("sibling", "male"): "brother",
                ("child", "female"): "daughter", ("child", "male"): "son"}.get((kind, sex))
    if relation:
        roles.add(relation)
    if kind in ("child", "sibling"):
        roles.add("child")
    if kind == "parent":
        roles.add("parent")
    titled = bool(words) and words[0] in TITLES
    role_pseudonym = titled or any(w in KIND_WORDS or w in PROFESSIONAL_WORDS for w in words)
    return Person(entry.pseudonym, order, kind, sex, entry.date_of_birth, frozenset(roles),
                  titled, role_pseudonym)


@dataclass(frozen=True)
class Claim:
    """One person's claim to a name form."""

    pseudonym: str
    tier: int
    source: str


@dataclass(frozen=True)
class NameForm:
    """One folded name form and who it belongs to."""

    key: str
    pseudonym: str  # the strongest claim (the person listed first among equals)
    tier: int
    source: str
    common: bool  # every word of it is also a common English word ("Rose", "Mark Brown")
    others: tuple[str, ...] = ()  # other people with a (weaker or later) claim to it
    claims: tuple[Claim, ...] = ()  # every claim, strongest first, then in register order
    form: str = NAME  # NAME, INITIALS (capitals only) or PLURAL (the family)

    def equal_claims(self) -> tuple[Claim, ...]:
        """The claims as strong as the strongest: the people it may be without a context."""
        return tuple(c for c in self.claims if c.tier == self.tier) or (
            Claim(self.pseudonym, self.tier, self.source),)


@dataclass(frozen=True)
class IdentifierForm:
    kind: str
    value: str
    pseudonym: str
    pattern: re.Pattern[str]
    needle: str  # letters and digits any match contains (identifiers.needle)


_TOKEN = re.compile(r"[a-z0-9]+")


class FormPatterns:
    """First token of a name form → one pattern of the forms that start with it, compiled
    the first time a text holds that token. A short text (a decision's reasons, a delay's
    explanation) holds few of a register's first tokens, and compiling every pattern of
    every register was most of the cost of pseudonymising many reviews' texts once each
    (the yearly figures: benchmarks/yearly_figures.py)."""

    def __init__(self, sources: dict[str, str]) -> None:
        self._sources = sources
        self._compiled: dict[str, re.Pattern[str]] = {}

    def get(self, token: str) -> re.Pattern[str] | None:
        pattern = self._compiled.get(token)
        if pattern is None:
            source = self._sources.get(token)
            if source is None:
                return None
            # Two threads may both compile it: the same pattern either way.
            pattern = self._compiled[token] = re.compile(source)
        return pattern

    def __len__(self) -> int:
        return len(self._sources)


@dataclass(frozen=True)
class CompiledRegister:
    forms: dict[str, NameForm]
    identifiers: tuple[IdentifierForm, ...]
    dates_of_birth: dict[date, tuple[str, ...]]
    pseudonym_words: frozenset[str]
    people: dict[str, Person] = field(default_factory=dict)
    particles: frozenset[str] = frozenset()  # folded prefixes written in registered names
    # First token of a name form (folded letters and digits) → the forms that start with it,
    # as one pattern: the text is read token by token, not tried at every character.
    by_first_token: FormPatterns = field(default_factory=lambda: FormPatterns({}))
    # A reviewer's decisions (``RegisterEntry.decided``): decision_key → the pseudonym.
    decided: dict[tuple[str, str], str] = field(default_factory=dict)

    def form(self, matched_folded: str) -> NameForm:
        key = loose_key(matched_folded)
        found = self.forms.get(key)
        return found if found is not None else self.forms["#" + key]

    def find_names(self, folded: str) -> Iterator[re.Match[str]]:
        """Every name form in folded text, leftmost first, longest form first at a place,
        never overlapping: what ``names.finditer`` finds, read token by token."""
        resume = 0
        for token in _TOKEN.finditer(folded):
            if token.start() < resume:
                continue
            pattern = self.by_first_token.get(token.group())
            if pattern is None:
                continue
            match = pattern.match(folded, token.start())
            if match:
                resume = match.end()
                yield match

    def identifier_matches(self, folded: str) -> Iterator[tuple[IdentifierForm, re.Match[str]]]:
        """Every match of every identifier in folded text. Each identifier's letters and
        digits (its needle) are looked for in the text's letters and digits with a plain
        substring search; the identifier's pattern is tried only where they occur."""
        letters: list[str] = []
        positions: list[int] = []
        for token in _TOKEN.finditer(folded):
            letters.append(token.group())
            positions.extend(range(token.start(), token.end()))
        alnum = "".join(letters)
        for identifier in self.identifiers:
            if not identifier.needle:
                continue
            seen: set[tuple[int, int]] = set()
            at = alnum.find(identifier.needle)
            while at >= 0:
                first = positions[at]
                # A match may start a little before its needle ("+44 (0)" before a number).
                for start in range(max(0, first - 8), first + 1):
                    match = identifier.pattern.match(folded, start)
                    if match and match.end() > first:
                        if match.span() not in seen:
                            seen.add(match.span())
                            yield identifier, match
                        break
                at = alnum.find(identifier.needle, at + 1)


def decision_key(form: str, context: str = "") -> tuple[str, str]:
    """How a reviewer's decision is looked up: the form's letters and the context folded
    (accents, apostrophes and spacing do not make two). A form written in lower case is
    kept apart from the capitalised one: deciding that "Summer" at a sentence's start is
    the health visitor says nothing of "in summer"."""
    first = next((c for c in form if c.isalpha()), "")
    return (("~" if first.islower() else "") + loose_key(fold_key(form)),
            " ".join(fold_key(context).split()))


def loose_key(folded: str) -> str:
    """A name form with nothing but its letters: "O'Neill", "O Neill" and "ONeill", or
    "Smith-Jones" and "SmithJones", are one form."""
    return re.sub(r"[^a-z0-9]", "", folded)


def _word_pattern(word: str) -> str:
    if len(word) == 1:  # an initial, with or without its full stop
        return re.escape(word) + r"\.?"
    # An apostrophe inside a name may be left out or typed as a space ("O Neill", "ONeill").
    return r"(?:'|\s)?".join(re.escape(part) for part in word.split("'"))


def _pattern(key: str) -> str:
    return r"[\s\-]+".join(_word_pattern(w) for w in key.split(" "))


def _initials_pattern(key: str) -> str:
    """Initials in any punctuation: "K.W.-B.", "K. W. B.", "KWB", "K W B", "KW-B". The
    last full stop belongs to initials written with full stops ("K W B." ends a sentence)."""
    letters = [re.escape(c) for c in key.split(" ")]
    dotted = r"\.[ ]?-?[ ]?".join(letters) + r"\."
    plain = r"[ \-]?".join(letters)
    return f"(?:{dotted}|{plain})"


def compile_register(register: Iterable[RegisterEntry]) -> CompiledRegister:
    entries = list(register)
    claims: dict[str, list[tuple[int, int, NameForm]]] = {}
    spellings: dict[str, str] = {}  # key → its pattern
    particles: set[str] = set()
    for order, entry in enumerate(entries):
        for variant in entry.variants():
            key = variant.key
            words = [w for w in key.split(" ") if w]
            if variant.form == INITIALS:
                if len(words) < 2:
                    continue
                spellings[key] = _initials_pattern(key)
                common = False
                lookup = "#" + "".join(words)  # never the same as a name's key
            else:
                if not words or all(len(w) == 1 for w in words):
                    continue
                spellings[key] = _pattern(key)
                common = all(is_common_word(w.replace("'", "")) or len(w) == 1 for w in words)
                lookup = loose_key(key)
                if len(words) > 1 and variant.tier < 2 and words[0] in _PREFIXES:
                    particles.add(words[0])
            claims.setdefault(lookup, []).append((variant.tier, order, NameForm(
                key, entry.pseudonym, variant.tier, variant.source, common, form=variant.form)))
    forms: dict[str, NameForm] = {}
    for key, found in claims.items():
        found.sort(key=lambda c: (c[0], c[1]))
        best = found[0][2]
        others = tuple(dict.fromkeys(c[2].pseudonym for c in found[1:]
                                     if c[2].pseudonym != best.pseudonym))
        seen: dict[str, Claim] = {}
        for tier, _, form in found:
            seen.setdefault(form.pseudonym, Claim(form.pseudonym, tier, form.source))
        forms[key] = NameForm(best.key, best.pseudonym, best.tier, best.source, best.common,
                              others, tuple(seen.values()), best.form)
    by_first: dict[str, list[str]] = {}
    if forms:
        for key in sorted(spellings, key=lambda k: (-len(k), k)):  # longest first
            words = key.split(" ")
            if all(len(w) == 1 for w in words):  # initials: "k", "kw", "kwb" start them
                tokens = {"".join(words[:n]) for n in range(1, len(words) + 1)}
            else:
                first = words[0].rstrip(".")
                tokens = {first.split("'")[0], first.replace("'", "")}
            for token in tokens:
                by_first.setdefault(token, []).append(key)
    by_first_token = FormPatterns({
        token: rf"(?<!{_WORD})(?:{'|'.join(spellings[k] for k in keys)})(?!{_WORD})"
        for token, keys in by_first.items() if token})
    identifiers = []
    dates: dict[date, list[str]] = {}
    for entry in entries:
        for identifier in entry.identifiers:
            for kind, pattern, needle in identifier_patterns(identifier.kind, identifier.value):
                identifiers.append(IdentifierForm(kind, identifier.value, entry.pseudonym,
                                                  re.compile(pattern), needle))
        if entry.date_of_birth:
            dates.setdefault(entry.date_of_birth, []).append(entry.pseudonym)
    pseudonym_words = frozenset(w for e in entries for w in fold_key(e.pseudonym).split())
    people = {e.pseudonym: person_of(e, order) for order, e in enumerate(entries)}
    decided = {decision_key(form, context): entry.pseudonym
               for entry in entries for form, context in entry.decided}
    return CompiledRegister(forms, tuple(identifiers),
                            {d: tuple(p) for d, p in dates.items()}, pseudonym_words,
                            people, frozenset(particles) | ALWAYS_PREFIXES, by_first_token,
                            decided)


# Prefixes of surnames that go with the name wherever it is found ("Ó" before "Súilleabháin",
# "van" before "Dijk"): the Gaelic ones always, the others when a registered name has them.
ALWAYS_PREFIXES = frozenset({"o", "o'", "mc", "mac", "ni", "nic", "ua", "ui", "mhic", "d'"})
_PREFIXES = ALWAYS_PREFIXES | frozenset({
    "de", "da", "di", "del", "della", "der", "den", "du", "la", "le", "van", "von", "bin", "binti",
    "bint", "al", "el", "ben", "ap", "ab", "dos", "das", "ter", "ten", "st", "ferch", "verch"})
