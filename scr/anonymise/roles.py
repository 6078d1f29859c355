"""The words written around a name that say whose it is: titles ("Ms", "PC") with the sex,
adulthood and profession each implies; family, loose and professional role words ("his
mother", "her partner", "the social worker"); "junior"/"senior"; "the … family"."""

from __future__ import annotations

import re

__all__ = ["FAMILY_NEXT", "FAMILY_ROLES", "JUNIOR", "KNOWN_ROLES", "LOOSE_ROLES",
           "PROFESSIONAL_ROLES", "ROLE_BEFORE", "THE_BEFORE", "TITLE_BEFORE", "TITLE_RULES"]


TITLE_RULES: dict[str, tuple[str, bool | None, bool]] = {
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


TITLE_BEFORE = re.compile(r"(?<![a-z0-9'])(?P<title>" + "|".join(
    sorted(TITLE_RULES, key=len, reverse=True)) + r")\.?\s+$")


# Words that say who someone is, as written before a name ("his mother, Ms Marsh"):
# → (the role a person must have, sex, adult).
FAMILY_ROLES: dict[str, tuple[str, str, bool | None]] = {
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
LOOSE_ROLES: dict[str, tuple[str, bool | None]] = {
    "partner": ("", True), "boyfriend": ("male", True), "girlfriend": ("female", True),
    "husband": ("male", True), "wife": ("female", True), "carer": ("", True),
    "friend": ("", None), "neighbour": ("", True), "lodger": ("", True)}


PROFESSIONAL_ROLES = (
    "family support worker", "support worker", "social worker", "youth worker", "key worker",
    "keyworker", "health visitor", "school nurse", "police officer", "probation officer",
    "family worker", "early help worker", "independent reviewing officer", "head teacher",
    "headteacher", "class teacher", "teacher", "midwife", "paediatrician", "gp", "doctor",
    "nurse", "detective", "officer", "practitioner", "consultant", "therapist", "psychologist",
    "psychiatrist", "senco", "designated safeguarding lead", "manager", "team manager",
    "advocate", "guardian", "worker")


_ROLE_WORDS_RE = "|".join(re.escape(r) for r in sorted(
    [*FAMILY_ROLES, *LOOSE_ROLES, *PROFESSIONAL_ROLES], key=len, reverse=True))


ROLE_BEFORE = re.compile(
    r"(?P<lead>(?<![a-z0-9'])(?P<det>the|his|her|their|its|our|my|your|a|an|[a-z]+'s?)\s+)?"
    r"(?P<adj>(?<![a-z0-9'])[a-z\-]+\s+)?"
    rf"(?<![a-z0-9'\-])(?P<role>{_ROLE_WORDS_RE})(?P<sep>\s*,\s*|\s*:\s*|\s+)$")


KNOWN_ROLES = frozenset([*FAMILY_ROLES, *LOOSE_ROLES, *PROFESSIONAL_ROLES])


JUNIOR = re.compile(r"^,?\s*(?P<which>jr|jnr|junior|sr|snr|senior)\b\.?")


FAMILY_NEXT = re.compile(r"^(?P<gap>\s+)(?:family|families|household|home|children|siblings|"
                          r"parents|brothers|sisters|twins)\b")


THE_BEFORE = re.compile(r"(?<![a-z0-9'])the\s+$")
