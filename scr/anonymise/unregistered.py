"""Possible unregistered names: capitalised words that look like people nobody registered.

The register only protects the people in it. Before publication the reviewer is shown
every capitalised word of the text that is a given name (``words.given_names``: Faker's
national name lists and the nicknames dataset) but no registered person's, to register
the person or dismiss the word. Precision matters as much as recall — a list of fifty
false alarms is a list nobody reads — so a word is *not* listed when it is:

- a registered name form or a word of a pseudonym ("Child K", "Social Worker 1");
- in ``ignore`` (the caller's: the partnership's name, agency names, reviewers' and
  panel members' names, towns, words a reviewer already dismissed);
- a month, a day, a role or title word ("Mother", "Nurse", "Officer", "Dr");
- part of a place or an organisation: followed by "Road", "Hospital", "School",
  "Council", "Street"... or after "in"/"near";
- a common English word ("Hope", "Mark", "Will", "May", "Grace") with nothing to say
  it is a name here: it counts only after a title ("Mrs Hope") or before a capitalised
  surname ("Grace Clarke").

A given name followed by a capitalised word is reported with it ("Emily Clarke").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from scr.anonymise.engine import Register, at_sentence_start, compiled, context_of
from scr.anonymise.fold import fold_key
from scr.anonymise.register import loose_key
from scr.anonymise.words import given_names, is_common_word

__all__ = ["PossibleName", "unregistered_names"]

_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019\u02bc\-\u2010\u2011][^\W\d_]+)*")
_TAGS = re.compile(r"<[^>]*>")
_POSSESSIVE = re.compile(r"['\u2019\u02bc]s$")
MONTHS_AND_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter"}
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "sir", "dame", "lady", "lord", "prof",
           "professor", "rev", "revd", "father", "sister", "nurse", "pc", "ds", "di", "dc", "sgt"}
# Words of roles, agencies and documents: capitalised in reports, never a person's name.
ROLE_WORDS = {
    "child", "children", "mother", "father", "sibling", "siblings", "parent", "parents", "carer",
    "carers", "grandmother", "grandfather", "aunt", "uncle", "cousin", "stepfather", "stepmother",
    "partner", "baby", "infant", "social", "worker", "workers", "officer", "officers", "nurse",
    "health", "visitor", "midwife", "doctor", "gp", "police", "teacher", "head", "headteacher",
    "manager", "reviewer", "panel", "board", "chair", "agency", "agencies", "council",
    "partnership", "safeguarding", "review", "services", "service", "team", "local", "authority",
    "national", "independent", "lead", "practitioner", "practitioners", "professional",
    "professionals", "school", "hospital", "clinic", "court", "family", "appendix", "section",
    "paragraph", "table", "figure", "page", "report", "recommendation", "finding", "learning",
    "the", "a", "an", "and", "of", "in", "on", "at", "to", "for", "with", "he", "she", "they",
    "his", "her", "their", "it", "this", "that", "there", "when", "where", "after", "before",
    "during", "following", "over", "under", "both", "no", "not", "yes", "all", "each",
    "house", "unit", "ward", "trust", "nhs", "icb", "cafcass", "ofsted", "mash", "early", "help"}
PLACE_NEXT = {
    "road", "street", "lane", "avenue", "close", "drive", "way", "court", "crescent", "gardens",
    "place", "terrace", "grove", "park", "square", "hospital", "school", "academy", "college",
    "nursery", "council", "borough", "county", "city", "town", "village", "estate", "centre",
    "center", "surgery", "practice", "clinic", "house", "hall", "ward", "trust", "police",
    "primary", "infant", "junior", "high", "university", "station", "services", "partnership",
    "health", "children", "church", "river", "bridge", "green", "heath", "common", "moor",
    "hill", "valley", "bay", "beach", "airport", "prison", "unit", "team", "safeguarding"}
_PLACE_BEFORE = {"in", "near", "from", "towards", "via", "outside"}


@dataclass(frozen=True)
class PossibleName:
    """A name that may belong to someone nobody registered."""

    name: str  # as first written, e.g. "Emily" or "Emily Clarke"
    count: int
    contexts: tuple[str, ...] = field(default_factory=tuple)  # up to three, in order
    first_at: int = 0


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def unregistered_names(text: str, register: Register, ignore: Iterable[str] = ()
                       ) -> list[PossibleName]:
    """Capitalised given names in ``text`` that belong to nobody in ``register`` (see the
    module docstring), in the order they first appear."""
    register = compiled(register)
    if not text:
        return []
    plain = _TAGS.sub(lambda m: " " * len(m.group()), text)  # keep the positions
    ignored = {loose_key(fold_key(word)) for phrase in ignore for word in
               re.split(r"[\s\-,]+", phrase) if word}
    registered = set(register.forms) | register.pseudonym_words
    names = given_names()
    words = list(_WORDS.finditer(plain))
    found: dict[str, PossibleName] = {}
    for index, match in enumerate(words):
        word = _POSSESSIVE.sub("", match.group())
        key = fold_key(word)
        before = fold_key(words[index - 1].group()) if index else ""
        titled = before in _TITLES and bool(re.fullmatch(r"[\s.]*", plain[words[index - 1].end():
                                                                            match.start()]))
        if not _capitalised(word) or not (titled or any(p in names for p in key.split())):
            continue
        if (loose_key(key) in registered or loose_key(key) in ignored or key in MONTHS_AND_DAYS
                or key in ROLE_WORDS or key in _TITLES):
            continue
        after_match = words[index + 1] if index + 1 < len(words) else None
        gap = plain[match.end():after_match.start()] if after_match else ""
        after = after_match.group() if after_match and gap.strip() in ("", "-") else ""
        after_key = fold_key(after)
        if after_key in PLACE_NEXT or (before in _PLACE_BEFORE and not _capitalised(after)):
            continue
        surname = (after if after and _capitalised(after) and after_key not in ROLE_WORDS
                   and after_key not in MONTHS_AND_DAYS and loose_key(after_key) not in ignored
                   else "")
        if is_common_word(key) and not (titled or surname):
            continue
        if is_common_word(key) and not titled and at_sentence_start(plain, match.start()) \
                and is_common_word(after_key):
            continue  # "Will Social Care..." / "May Day": a capitalised phrase, not a person
        surname = _POSSESSIVE.sub("", surname)
        name = f"{words[index - 1].group()} {word}" if titled and not surname else \
            f"{word} {surname}".strip()
        group = loose_key(fold_key(name))
        if loose_key(fold_key(surname)) in registered:
            continue  # a registered surname after a given name: the anonymiser's, not ours
        start, end = match.start(), match.end() + (len(gap) + len(surname) if surname else 0)
        context = context_of(text, start, end) if "<" not in text else context_of(plain, start, end)
        previous = found.get(group)
        if previous is None:
            found[group] = PossibleName(name, 1, (context,), start)
        else:
            contexts = previous.contexts + ((context,) if len(previous.contexts) < 3 else ())
            found[group] = PossibleName(previous.name, previous.count + 1, contexts,
                                        previous.first_at)
    return sorted(found.values(), key=lambda p: p.first_at)
