"""The registers the anonymisation tests share: a family and a professional whose names
are every kind of trouble (Irish, accented, hyphenated, common words, Mc/Mac)."""

from __future__ import annotations

from datetime import date

from scr.anonymise import Identifier, RegisterEntry

REFERENCE_DATE = date(2019, 6, 1)

CHILD = RegisterEntry(
    "Child K", "Amelia Rose Marsh-O’Neill", other_names=("Millie",),
    date_of_birth=date(2015, 3, 3),
    identifiers=(
        Identifier("address", "12 Marsh Lane\nNorthtown\nNT1 2AB"),
        Identifier("school", "Northtown Primary School"),
        Identifier("nhs_number", "943 476 5919"),
        Identifier("police_ref", "CR/2015/1234"),
        Identifier("la_ref", "LA-778812"),
    ))
MOTHER = RegisterEntry(
    "Mother", "Zoë Hope Brown", other_names=("Zoe Hart",), date_of_birth=date(1990, 7, 14),
    identifiers=(
        Identifier("ni_number", "AB 12 34 56 C"),
        Identifier("phone", "+447911123456"),
        Identifier("email", "zoe.brown@example.org"),
        Identifier("postcode", "NT4 7XY"),
    ))
FATHER = RegisterEntry("Father", "José McDonald")
SIBLING = RegisterEntry("Sibling 1", "James Marsh-O’Neill")
WORKER = RegisterEntry("Social Worker 1", "Mark Bishop")
FAMILY = [CHILD, MOTHER, FATHER, SIBLING, WORKER]
