"""Names in the text and what each becomes: every registered form found (whole words, the
possessive's apostrophe along, lower-case common words left and listed), its owner decided
(scr.anonymise.owners), then its replacement written as English (a title before a role
pseudonym dropped, a role word not doubled, a name's prefix taken along, capitals kept in
a heading) and asides that only name the same person again removed."""

from __future__ import annotations

import re
from datetime import date

from scr.anonymise.fold import Folded, fold_key
from scr.anonymise.owners import FoundName, decide_owners, reviewer_decided
from scr.anonymise.register import ALWAYS_PREFIXES, CompiledRegister
from scr.anonymise.results import Candidate, Skipped, Uncertain
from scr.anonymise.roles import FAMILY_NEXT, JUNIOR, ROLE_BEFORE, THE_BEFORE, TITLE_BEFORE
from scr.anonymise.spans import at_sentence_start, context_of, original_span
from scr.anonymise.variants import INITIALS, NAME, PLURAL

__all__ = ["drop_asides", "name_candidate", "name_candidates"]


_ASIDE_OPEN = re.compile(
    r"\s*(?:\(\s*|,\s*(?=(?:also\s+)?known|aka|a\.k\.a|called|nicknamed))"
    r"(?:(?:also\s+)?known\s+as|aka|a\.k\.a\.?|called|nicknamed|n[ée]e|formerly|previously|"
    r"referred\s+to\s+(?:here\s+|below\s+|in\s+this\s+report\s+)?as)?\s*:?\s*[\"'“‘’]?\s*")


_ASIDE_CLOSE = re.compile(r"\s*[\"'”’]?\s*(?:in\s+this\s+report\s*)?\)")


_ASIDE_COMMA_CLOSE = re.compile(r"\s*[\"'”’]?\s*(?:in\s+this\s+report\s*)?(?:,|(?=[.;:!?)]|$))")


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


def name_candidates(text: str, folded: Folded, register: CompiledRegister, skipped: list[Skipped],
           uncertain: list[Uncertain], on: date | None, guess: bool) -> list[Candidate]:
    founds: list[FoundName] = []
    for match in register.find_names(folded.text):
        form = register.form(match.group())
        start, end = original_span(text, folded, match.start(), match.end())
        possessive_end, apostrophe = _possessive(text, folded, match.end(), match.group())
        if possessive_end >= 0:
            end = possessive_end
        original = text[start:end]
        if form.form == INITIALS and not _capitals(original):
            continue  # "kb" in a word, "a.m.": initials count in capitals only
        first_letter = next((c for c in original if c.isalpha()), "")
        if form.form == PLURAL and form.common and not THE_BEFORE.search(
                folded.text[max(0, match.start() - 6):match.start()]):
            continue  # "Does the plan work?": the family called Doe is "the Does"
        if form.common and not _in_address_token(text, start, end):
            lower = not first_letter.isupper()
            if lower or (" " not in form.key and form.form == NAME
                         and at_sentence_start(text, start) and not guess):
                owner = reviewer_decided(register, text, start, end)
                if owner is not None:
                    founds.append(FoundName(start, end, match.start(), match.end(), form, original,
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
        founds.append(FoundName(start, end, match.start(), match.end(), form, original, apostrophe))
    if guess:
        for found in founds:
            found.owner = found.owner or found.form.pseudonym
    else:
        decide_owners(text, folded, founds, register, uncertain, on)
    return [c for found in founds if found.owner is not None
            for c in [name_candidate(text, folded, found, register, guess)]]


def name_candidate(text: str, folded: Folded, found: FoundName, register: CompiledRegister,
               guess: bool) -> Candidate:
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
        if not THE_BEFORE.search(folded.text[max(0, fstart - 8):fstart]):
            replacement = ("The " if at_sentence_start(text, start) else "the ") + replacement
        note = "; ".join(filter(None, ["the family by its surname", note]))
        return Candidate(start, end, replacement, "name", owner, 2, False, note)
    next_family = FAMILY_NEXT.match(folded.text[found.fend:])
    if next_family and THE_BEFORE.search(folded.text[max(0, fstart - 8):fstart]) \
            and "surname" in form.source:
        # "the Baker family" → "the family"
        gap_end = folded.origin[found.fend + len(next_family.group("gap")) - 1] + 1
        return Candidate(start, gap_end, "", "name", owner, 2, False,
                          "the family by its surname")
    replacement = owner + suffix
    if guess:
        return Candidate(start, end, replacement, "name", owner, 2, flagged, note)
    junior = JUNIOR.match(folded.text[found.fend:found.fend + 12])
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
    title = TITLE_BEFORE.search(folded.text[max(0, fstart - 16):fstart])
    if title and person is not None and (person.role_pseudonym or person.titled):
        fstart -= len(title.group())
        start = folded.origin[fstart]
    # A role word beside its own pseudonym is not doubled: "his mother Ms Marsh" is "his
    # mother"; "the social worker, Ms Jones," is "Social Worker 1".
    role = ROLE_BEFORE.search(folded.text[max(0, fstart - 60):fstart])
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
    return Candidate(start, end, replacement, "name", owner, 2, flagged, note)


def drop_asides(text: str, candidates: list[Candidate], register: CompiledRegister
            ) -> list[Candidate]:
    """An aside that only names the same person again goes: "Mr P (known as Mr P)" and
    "Sibling 1 (Sibling 1)" are "Mr P" and "Sibling 1"."""
    merged: list[Candidate] = []
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
            merged.append(Candidate(c.start, closing.end(), c.replacement, c.kind, c.pseudonym,
                                     c.priority, c.uncertain, "; ".join(filter(None, [
                                         c.note, "an aside naming the same person removed"]))))
            continue
        merged.append(c)
    return merged
