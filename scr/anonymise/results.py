"""What the anonymiser gives back: the publishable text and its working (each replacement,
each word left for a person, each full date left for the leak check), and the candidate
replacements it settles between on the way."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AnonymisedText", "Candidate", "Finding", "Replacement", "Skipped", "Uncertain"]



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
class Candidate:
    start: int
    end: int
    replacement: str
    kind: str
    pseudonym: str | None
    priority: int
    uncertain: bool = False
    note: str = ""
