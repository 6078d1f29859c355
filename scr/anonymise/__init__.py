"""Anonymisation: the register's names and identifiers out of publishable text, and the
checks around it (DOMAIN.md, "Anonymisation — the heart of publication").

Pure code (no Django): reviews builds the register from its records
(``reviews.selectors.review_register``) and calls these.

- ``anonymise(text, register, reference_date) -> AnonymisedText`` (engine)
- ``name_variants(...)`` (variants): the generated forms of a name
- ``unregistered_names(text, register, ignore=...)`` (unregistered): capitalised words
  that look like names of people nobody registered
- ``leak_check(pdf_bytes, register, allow=, allowed_dates=, allowed_names=, full_dates=)
  -> list[Hit]`` (leakcheck): identifiers and personal data found in a rendered PDF's own
  text, registered or not (people by title or by a names dataset, initials, dates)
- ``check_identifier(kind, value) -> CheckedIdentifier`` (identifiers): the value to store
  and a warning when it does not look right (never a refusal)

``scr.pseudonymise.pseudonymise(text, register)`` is the display form: names (and
registered identifiers) only.
"""

from scr.anonymise.engine import (
                          AnonymisedText,
                          Finding,
                          Replacement,
                          Skipped,
                          Uncertain,
                          age_phrase,
                          anonymise,
)
from scr.anonymise.identifiers import (
                          IDENTIFIER_KINDS,
                          NAME_KINDS,
                          REPLACEMENTS,
                          CheckedIdentifier,
                          Identifier,
                          InvalidIdentifier,
                          check_identifier,
                          normalise_identifier,
)
from scr.anonymise.leakcheck import FULL_DATES, Hit, LeakCheckError, leak_check, leak_check_pages, pdf_pages
from scr.anonymise.register import CompiledRegister, RegisterEntry, compile_register
from scr.anonymise.unregistered import PossibleName, unregistered_names
from scr.anonymise.variants import Variant, name_variants

__all__ = [
                          "FULL_DATES",
                          "IDENTIFIER_KINDS",
                          "NAME_KINDS",
                          "REPLACEMENTS",
                          "AnonymisedText",
                          "CheckedIdentifier",
                          "CompiledRegister",
                          "Finding",
                          "Hit",
                          "Identifier",
                          "InvalidIdentifier",
                          "LeakCheckError",
                          "PossibleName",
                          "RegisterEntry",
                          "Replacement",
                          "Skipped",
                          "Uncertain",
                          "Variant",
                          "age_phrase",
                          "anonymise",
                          "check_identifier",
                          "compile_register",
                          "leak_check",
                          "leak_check_pages",
                          "name_variants",
                          "normalise_identifier",
                          "pdf_pages",
                          "unregistered_names",
]

