"""Whose a name is: the only person with the form, the person whose name stands beside it,
a reviewer's decision, or the sentence around it (a title's sex and adulthood, a role
word, "junior"); otherwise nobody, and the name is reported ``Uncertain`` (never guessed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scr.anonymise.fold import Folded
from scr.anonymise.register import Claim, CompiledRegister, NameForm, Person, decision_key
from scr.anonymise.results import Uncertain
from scr.anonymise.roles import (
    FAMILY_NEXT,
    FAMILY_ROLES,
    JUNIOR,
    KNOWN_ROLES,
    LOOSE_ROLES,
    ROLE_BEFORE,
    TITLE_BEFORE,
    TITLE_RULES,
)
from scr.anonymise.spans import context_of, only_spaces
from scr.anonymise.variants import PLURAL

__all__ = ["FoundName", "decide_owners", "reviewer_decided"]


FIT, MAYBE, FAILS = 2, 1, 0


@dataclass
class FoundName:
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


def reviewer_decided(register: CompiledRegister, text: str, start: int, end: int) -> str | None:
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


def _context(folded: str, found: FoundName) -> _Context:
    before = folded[max(0, found.fstart - 80):found.fstart]
    sex, adult, professional, title, role = "", None, False, "", ""
    title_match = TITLE_BEFORE.search(before)
    if title_match:
        title = title_match.group("title")
        sex, adult, professional = TITLE_RULES[title]
        before = before[:title_match.start()]
    role_match = ROLE_BEFORE.search(before)
    if role_match:
        role = role_match.group("role")
        adjective = (role_match.group("adj") or "").strip()
        if f"{adjective} {role}" in KNOWN_ROLES:
            role = f"{adjective} {role}"  # "social worker", not "worker"
    junior = ""
    after = JUNIOR.match(folded[found.fend:found.fend + 12])
    if after:
        junior = "junior" if after.group("which") in ("jr", "jnr", "junior") else "senior"
    return _Context(title, sex, adult, professional, role, junior)


def _status(person: Person, context: _Context, on: date | None) -> tuple[int, str]:
    """Does the person fit the sentence: FIT, MAYBE (nothing known against), FAILS (why)."""
    statuses: list[int] = []
    why = ""
    sex, adult, professional = context.sex, context.adult, context.professional
    role = context.role
    if role in FAMILY_ROLES:
        needed, role_sex, role_adult = FAMILY_ROLES[role]
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
    elif role in LOOSE_ROLES:
        role_sex, role_adult = LOOSE_ROLES[role]
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


def _decide(found: FoundName, folded: str, register: CompiledRegister,
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


def decide_owners(text: str, folded: Folded, founds: list[FoundName], register: CompiledRegister,
                uncertain: list[Uncertain], on: date | None) -> None:
    """Each name's owner: the only claimant; the owner of the name part beside it ("Kayla"
    makes "Baker" in "Kayla Baker" hers); else the context (``_decide``)."""
    undecided: dict[int, str] = {}
    for found in founds:
        if found.owner is not None:  # a reviewer decided it
            continue
        if found.form.form == PLURAL or FAMILY_NEXT.match(folded.text[found.fend:]):
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
                if only_spaces(gap):
                    found.owner, found.by_neighbour, changed = neighbour.owner, True, True
                    break
    for index, found in enumerate(founds):
        if found.owner is not None:
            continue
        owner, why = _decide(found, folded.text, register, on)
        if owner is None:
            owner = reviewer_decided(register, text, found.start, found.end)
            found.decided = owner is not None
            if owner is None:
                undecided[index] = why
        found.owner = owner
    for index, why in undecided.items():
        found = founds[index]
        uncertain.append(Uncertain(found.start, found.end, found.original,
                                   tuple(c.pseudonym for c in found.form.equal_claims()),
                                   context_of(text, found.start, found.end), why))
