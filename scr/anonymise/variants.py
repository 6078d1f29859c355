"""Name variants: every form in which a registered name may be written.

Generated, not only typed (DOMAIN.md, "Anonymisation"). For each name — the full name
and every other name (known as, previous surname, nickname) — the variants are:

- the whole name (tier 0: what people typed);
- each part alone: first name, middle names, surname, each part of a hyphenated
  surname, a surname with its particle ("de la Cruz"), first name and surname without
  the middle names, the initial with the surname ("K. Smith-Jones") (tier 1);
- generated spellings (tier 2): a hyphenated name written as one word
  ("SmithJones"), Mc/Mac ("McDonald" ↔ "MacDonald"), the name after an O'/D'
  prefix ("Neill"), and the common nicknames of each given name from the
  ``nicknames`` dataset ("Amelia" → "Millie");
- generated forms (tier 2, ``form``): the person's **initials** ("KWB" for Kayla
  Wright-Baker, and "KB"; matched in any punctuation — "K.W.-B.", "K W B", "K.B." — and
  only where written in capitals; a sequence that is a common abbreviation of reports,
  "GP", "PC", "SW", is never one), and the **plural** of each surname ("Bakers", "the
  Joneses": the family).

Irish, Scottish and Welsh prefixes written as a word of their own ("Ó Súilleabháin",
"Ní Bhriain", "Mac Giolla", "ap Rhys") are particles: they belong to the surname.

Spacing, hyphens, case, accents and apostrophes are not variants: the matcher ignores
them (scr.anonymise.fold), so "Smith Jones", "SMITH–JONES" and "Zoe" match
"Smith-Jones" and "Zoë". Possessives ("Kayden's", "James'") are matched for every
variant. Initials alone ("K") and particles alone ("de", "van") are never variants:
they would replace letters and words all over the text.

A reviewer removes a wrong generated variant or adds a missing one (reviews keeps
those decisions, with history); ``RegisterEntry`` carries them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii

from scr.anonymise.fold import fold_key
from scr.anonymise.words import is_common_word, nicknames_of
from scr.text import normalise_text

__all__ = ["COMMON_ABBREVIATIONS", "INITIALS", "NAME", "PARTICLES", "PLURAL", "Variant",
           "name_variants"]

TYPED, PART, GENERATED = 0, 1, 2
PARTICLES = frozenset({"de", "da", "di", "del", "della", "der", "den", "du", "la", "le", "van",
                       "von", "bin", "binti", "bint", "al", "el", "ben", "ap", "st", "dos", "das",
                       "ter", "ten", "y",
                       # Gaelic and Welsh prefixes written apart (folded: "Ó" is "o")
                       "o", "ni", "nic", "mac", "mc", "ua", "ui", "mhic", "bean", "ab", "ferch",
                       "verch"})
NAME, INITIALS, PLURAL = "name", "initials", "plural"
# Abbreviations every report uses: never a person's initials, whoever's they would be.
COMMON_ABBREVIATIONS = frozenset({
    "gp", "pc", "dc", "ds", "di", "dci", "sw", "hv", "nhs", "uk", "usa", "tv", "ok", "ni",
    "ce", "rc", "mp", "qc", "ae", "eu", "nb", "ps", "st", "dr", "mr", "mx", "csc", "icb", "yot",
    "cin", "cp", "lac", "ehc", "ehcp", "sen", "send", "pe", "ict", "ssd", "cpp", "lscp", "lscb",
    "scr", "cspr", "mash", "adhd", "asd", "ptsd", "ocd", "dob", "aka", "bbc", "dbs", "cps", "ipv",
    "dv", "dva", "ccg", "er", "ip", "ba", "bsc", "msc", "phd", "rn", "rgn", "rmn", "ot", "slt",
    "ta", "dsl", "iro", "lado", "fgc", "fgm", "cse", "cce", "fii", "ahi", "nai", "sudi", "sids",
    "cdop", "jtai", "cqc", "hmi", "ey", "eyfs", "sats", "gcse", "nfa", "aa", "ao", "cv", "dna",
    "eg", "ie", "hq", "ltd", "md", "na", "pr", "qa", "wc", "ppa", "mps", "bme", "gb", "ld"})
_MC = re.compile(r"^(ma?c)(?=[^\W\d_]{2})", re.IGNORECASE)
_O_PREFIX = re.compile(r"^([OD])['\u2019\u02bc]([^\W\d_]{2,})$", re.IGNORECASE)


@dataclass(frozen=True)
class Variant:
    """One form of a person's name, why it is there, and how sure it is.

    ``tier`` orders the claims when two people share a form: typed names (0) beat parts
    of names (1), which beat generated spellings and nicknames (2)."""

    text: str
    source: str
    tier: int
    form: str = NAME  # NAME, INITIALS (letters in capitals, any punctuation) or PLURAL

    @property
    def key(self) -> str:
        if self.form == INITIALS:
            return " ".join(c for c in fold_key(self.text) if c.isalpha())
        return fold_key(self.text)

    @property
    def plain(self) -> str:
        """The form without accents, as some reports will type it."""
        return anyascii(self.text)

    @property
    def removable(self) -> bool:
        """Only generated variants may be removed: the parts of a real name always count."""
        return self.tier == GENERATED


def _tokens(name: str) -> list[str]:
    return [t for t in normalise_text(name).split(" ") if t]


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) <= 1


def _spellings(token: str, source: str) -> list[Variant]:
    """Generated spellings of one surname-like token: Mc/Mac, O'/D' prefix, joined hyphens."""
    found = []
    if "-" in token:
        found.append(Variant(token.replace("-", ""), f"{source} written as one word", GENERATED))
    mc = _MC.match(token)
    if mc:
        rest = token[mc.end():]
        other = "Mac" if mc.group(1).lower() == "mc" else "Mc"
        found += [Variant(other + rest, "Mc/Mac spelling", GENERATED),
                  Variant(f"Mc {rest}", "Mc/Mac spelling", GENERATED),
                  Variant(f"Mac {rest}", "Mc/Mac spelling", GENERATED)]
    prefixed = _O_PREFIX.match(token)
    if prefixed:
        found.append(Variant(prefixed.group(2), f"{token} without {prefixed.group(1)}'",
                             GENERATED))
    return found


def _is_particle(token: str) -> bool:
    return fold_key(token).replace("'", "") in PARTICLES


def _initials(tokens: list[str], surname_at: int) -> list[Variant]:
    """The person's initials: every given name's and every surname part's, the first given
    name's with the surname's, in capitals ("KWB", "KB"); written as "K.W.-B."."""
    def initials_of(words: list[str]) -> list[str]:
        return [fold_key(p)[:1].upper() for t in words for p in t.split("-")
                if fold_key(p)[:1].isalpha()]

    given = tokens[:surname_at]
    surname = tokens[surname_at:]
    # A hyphenated given name is one initial or two ("Daisy-Mae": D or DM); a particle's
    # letter is written by some and not by others ("Ní Bhriain": NB or B).
    given_options = {tuple(initials_of([t.split("-")[0] for t in given])),
                     tuple(initials_of(given))}
    surname_options = {tuple(initials_of([t for t in surname if not _is_particle(t)])),
                       tuple(initials_of(surname))}
    combinations = []
    for g_letters in sorted(given_options):
        for s_letters in sorted(surname_options):
            g, s = list(g_letters), list(s_letters)
            if not g or not s:
                continue
            combinations += [(g, s), (g[:1], s), (g, s[-1:]), (g[:1], s[-1:])]
    found: dict[str, Variant] = {}
    for g, s in combinations:
        letters = "".join(g + s)
        if (len(letters) < 2 or letters in found or letters.lower() in COMMON_ABBREVIATIONS
                or is_common_word(letters.lower())):  # "AN", "HER" in a heading in capitals
            continue
        written = ".".join(g) + "." + ".-".join(s) + "."
        found[letters] = Variant(written, f"initials ({letters})", GENERATED, INITIALS)
    return list(found.values())


def _plurals(surname: str) -> list[Variant]:
    """The family by its surname: "the Bakers", "the Joneses"."""
    found = []
    for name in dict.fromkeys([surname, *(p for p in surname.split("-") if len(p) > 1)]):
        if not name[-1:].isalpha():
            continue
        plural = name + ("es" if re.search(r"(?:s|x|z|ch|sh)$", name, re.IGNORECASE) else "s")
        found.append(Variant(plural, f"the family ({name} in the plural)", GENERATED, PLURAL))
    return found


def _name_variants(name: str, *, what: str, given_names_too: bool) -> list[Variant]:
    tokens = _tokens(name)
    if not tokens or not any(not _is_initial(t) for t in tokens):
        return []
    found = [Variant(" ".join(tokens), what, TYPED)]
    words = [t for t in tokens if not _is_initial(t)]
    if len(tokens) == 1:
        found += _spellings(tokens[0], what)
        if given_names_too:
            found += [Variant(n, f"nickname of {tokens[0]}", GENERATED)
                      for n in nicknames_of(tokens[0])]
        return found
    surname_at = len(tokens) - 1
    while surname_at > 1 and _is_particle(tokens[surname_at - 1]):
        surname_at -= 1  # "Maria de la Cruz": the surname is "de la Cruz"
    surname = tokens[surname_at:]
    given = [t for t in tokens[:surname_at] if not _is_initial(t)]
    for index, token in enumerate(tokens[:surname_at]):
        if _is_initial(token) or token.lower() in PARTICLES:
            continue
        label = "first name" if index == 0 else "middle name"
        found.append(Variant(token, f"{label} ({what})", PART))
        found += _spellings(token, label)
        found += [Variant(n, f"nickname of {token}", GENERATED) for n in nicknames_of(token)]
    if len(surname) > 1:
        found.append(Variant(" ".join(surname), f"surname ({what})", PART))
    last = surname[-1]
    found.append(Variant(last, f"surname ({what})", PART))
    if "-" in last:
        for piece in (p for p in last.split("-") if len(p) > 1):
            found.append(Variant(piece, f"part of the surname {last}", PART))
            found += _spellings(piece, "part of the surname")
    found += _spellings(last, "surname")
    found += _plurals(last)
    found += _initials(tokens, surname_at)
    if given and len(given) > 1:
        found.append(Variant(f"{given[0]} {' '.join(surname)}", f"first name and surname ({what})",
                             PART))
    first = tokens[0].rstrip(".")
    if first and first[0].isalpha():
        found.append(Variant(f"{first[0]}. {' '.join(surname)}", f"initial and surname ({what})",
                             PART))
    del words
    return found


def name_variants(full_name: str, other_names: tuple[str, ...] | list[str] = (),
                  added: tuple[str, ...] | list[str] = (),
                  removed: tuple[str, ...] | list[str] = ()) -> list[Variant]:
    """Every variant of a person's names, one per key, the strongest claim first.

    ``added`` are variants a reviewer typed (tier 0); ``removed`` are keys (or texts) of
    generated variants a reviewer took out; a part of a real name cannot be removed."""
    candidates = _name_variants(full_name, what="full name", given_names_too=True)
    for other in other_names:
        candidates += _name_variants(other, what="other name", given_names_too=True)
    for text in (normalise_text(a) for a in added if fold_key(a)):
        candidates.append(Variant(text, "added by a reviewer", TYPED))
        candidates += [s for token in text.split(" ") for s in _spellings(token, "added")]
    gone = {fold_key(r) for r in removed}
    best: dict[str, Variant] = {}
    for variant in candidates:
        key = variant.key
        if not key or (variant.removable and key in gone):
            continue
        if key not in best or variant.tier < best[key].tier:
            best[key] = variant
    return sorted(best.values(), key=lambda v: (v.tier, candidates.index(v)))
