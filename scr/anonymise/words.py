"""The word lists the anonymiser reads: common English words, given names, nicknames.

All three come from maintained datasets rather than lists typed here:

- **Common words**: Debian's ``wbritish`` (SCOWL, size 50: the common words of British
  English). It is case-sensitive — "marsh" and "rose" are listed in lower case, "Jones"
  and "Emily" only capitalised — which is exactly the question asked: is this name
  also an ordinary word? Only the lower-case entries count.
- **Given names**: the person providers of ``Faker`` (maintained, with first names from
  national statistics) for the languages of families living in England, joined with
  the names of the ``nicknames`` dataset.
- **Nicknames**: the ``nicknames`` package (a hand-curated dataset of English given
  names and their nicknames: Amelia → Millie, Daniel → Dan).
- **Surnames**: the same Faker providers' surname lists (census and registry surnames of
  Britain, Ireland, the US and the countries of families living in England: about 18,000),
  for the leak check's search for people nobody registered (scr.anonymise.leakcheck).

Everything is folded (scr.anonymise.fold) and loaded once per process.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from scr.anonymise.fold import fold_key

if TYPE_CHECKING:
    from nicknames import NickNamer

__all__ = [
    "COMMON_WORDS_FILE",
    "common_words",
    "given_names",
    "is_common_word",
    "nicknames_of",
    "surnames",
]

COMMON_WORDS_FILE = Path(os.environ.get("SCR_COMMON_WORDS_FILE", "/usr/share/dict/british-english"))

# Faker's person providers for the languages most spoken by families in England.
_FAKER_LOCALES = ("en_GB", "en_IE", "en_US", "en", "en_IN", "en_PK", "ar_AA", "pl_PL", "ro_RO",
                  "tr_TR", "pt_PT", "es_ES", "it_IT", "fr_FR", "de_DE", "hi_IN")
_FAKER_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female",
                     "first_names_nonbinary")
# Surnames: the languages above, with Irish (ga_IE), Dutch, Greek, Ukrainian and Slovak.
_SURNAME_LOCALES = (*_FAKER_LOCALES, "ga_IE", "en_NZ", "nl_NL", "el_GR", "uk_UA", "sk_SK",
                    "cs_CZ", "lt_LT", "hu_HU", "bn_BD")
_SURNAME_ATTRIBUTES = ("last_names", "last_names_male", "last_names_female")


class WordListMissing(RuntimeError):
    """The common-words list is not installed: without it every surname that is also a
    word ("Marsh") would be replaced in "marshland"-like prose, or worse, left alone."""


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Folded lower-case words of the common-words list (see the module docstring)."""
    try:
        lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    except OSError as missing:
        raise WordListMissing(
            f"{COMMON_WORDS_FILE} is missing: install Debian's wbritish package "
            "(scripts/test-machine.sh and the Dockerfile do)") from missing
    return frozenset(line if line.isascii() else fold_key(line) for line in lines
                     if line and line == line.lower() and "'" not in line)


def is_common_word(folded_word: str) -> bool:
    return folded_word in common_words()


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Folded given names from Faker's providers and the nicknames dataset."""
    names: set[str] = set()
    for locale in _FAKER_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale Faker dropped: the others still count
            continue
        for attribute in _FAKER_ATTRIBUTES:
            names.update(getattr(provider, attribute, ()) or ())
    namer = _namer()
    for canonical in list(namer._nickname_lookup):
        names.add(canonical)
        names.update(namer.nicknames_of(canonical))
    return frozenset(key for key in (fold_key(n) for n in names) if len(key) > 1 and " " not in key)


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Folded surnames from Faker's providers (see the module docstring)."""
    names: set[str] = set()
    for locale in _SURNAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale Faker dropped: the others still count
            continue
        for attribute in _SURNAME_ATTRIBUTES:
            found = getattr(provider, attribute, ()) or ()
            names.update(found.keys() if isinstance(found, dict) else found)
    return frozenset(key for key in (fold_key(n) for n in names) if len(key) > 1 and " " not in key)


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    from nicknames import NickNamer

    return NickNamer()


def nicknames_of(given_name: str) -> list[str]:
    """Common nicknames of a given name, capitalised ("Amelia" → ["Amy", "Millie", ...])."""
    found = _namer().nicknames_of(fold_key(given_name))
    return sorted(n.title() for n in found if len(n) > 1)
