"""Themes across reviews (issue 21, item 4), over the published reviews (the board's own
``aggregate`` scope; findings' texts through the pseudonymiser for anyone without identities):

- themes by year of publication and by review;
- findings that repeat an earlier review's finding (``Finding.repeats``, recorded by the
  reviewer on the finding: "repeats finding X of review Y");
- which recommendations and actions answered each theme (a recommendation answers the themes
  of the findings it is tied to; its actions answer them too).

A fixed number of queries whatever the number of reviews.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from actionplans.models import FINISHED, Action
from agencies.models import User
from agencies.models.roles import Role
from reviews.models import Finding, Recommendation, Review, Theme
from reviews.selectors import review_registers
from scr.pseudonymise import pseudonymise

__all__ = ["Repeat", "ThemeAnswer", "ThemesPage", "themes_page"]


@dataclass(frozen=True)
class Repeat:
    review_id: int
    reference: str
    number: int
    title: str
    earlier_review_id: int
    earlier_reference: str
    earlier_number: int
    earlier_title: str


@dataclass
class ThemeAnswer:
    name: str
    reviews: set[int] = field(default_factory=set)
    findings: int = 0
    recommendations: list[tuple[int, str, int]] = field(default_factory=list)  # id, ref, number
    actions: int = 0
    actions_finished: int = 0


@dataclass
class ThemesPage:
    years: list[int]
    by_year: list[tuple[str, list[int], int]]  # theme, reviews per year, total
    by_review: list[tuple[int, str, int | None, list[str]]]  # id, reference, year, themes
    repeats: list[Repeat]
    answers: list[ThemeAnswer]


def themes_page(user: User) -> ThemesPage:
    published = Review.objects.for_user(user, "aggregate").filter(published_on__isnull=False)
    reviews = {pk: (ref, day.year if day else None) for pk, ref, day in
               published.values_list("pk", "reference", "published_on")}
    names = dict(Theme.objects.values_list("pk", "name"))
    links = list(Finding.themes.through._default_manager.filter(
        finding__withdrawn=False, finding__review_id__in=list(reviews)).values_list(
        "theme_id", "finding_id", "finding__review_id"))
    years = sorted({y for _, y in reviews.values() if y is not None})
    per_year: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    per_review: dict[int, set[str]] = defaultdict(set)
    answers = {t: ThemeAnswer(n) for t, n in names.items()}
    finding_themes: dict[int, set[int]] = defaultdict(set)
    for theme, finding, review in links:
        per_year[theme][reviews[review][1] or 0].add(review)
        per_review[review].add(names[theme])
        answers[theme].reviews.add(review)
        answers[theme].findings += 1
        finding_themes[finding].add(theme)
    by_year = sorted(((names[t], [len(ys.get(y, ())) for y in years],
                       len(set().union(*ys.values()))) for t, ys in per_year.items()),
                     key=lambda row: (-row[2], row[0]))
    by_review = [(pk, ref, year, sorted(per_review.get(pk, ())))
                 for pk, (ref, year) in sorted(reviews.items(), key=lambda i: i[1][0])]
    rec_themes: dict[int, set[int]] = defaultdict(set)
    for rec, finding, ref, number in Recommendation.findings.through._default_manager.filter(
            finding_id__in=list(finding_themes), recommendation__withdrawn=False).values_list(
            "recommendation_id", "finding_id", "recommendation__review__reference",
            "recommendation__number").order_by("recommendation__review__reference",
                                               "recommendation__number"):
        for theme in finding_themes[finding] - rec_themes[rec]:
            answers[theme].recommendations.append((rec, ref, number))
        rec_themes[rec] |= finding_themes[finding]
    for rec, status in Action.objects.for_user(user, "aggregate").filter(
            recommendation_id__in=list(rec_themes)).values_list("recommendation_id", "status"):
        for theme in rec_themes[rec]:
            answers[theme].actions += 1
            answers[theme].actions_finished += status in FINISHED
    return ThemesPage(years, by_year, by_review, _repeats(user, list(reviews)),
                      sorted((a for a in answers.values() if a.findings),
                             key=lambda a: (-len(a.reviews), a.name)))


def _repeats(user: User, review_ids: list[int]) -> list[Repeat]:
    rows = list(Finding.repeats.through._default_manager.filter(
        from_finding__review_id__in=review_ids, from_finding__withdrawn=False,
        to_finding__review_id__in=review_ids).values_list(
        "from_finding__review_id", "from_finding__review__reference", "from_finding__number",
        "from_finding__title", "to_finding__review_id", "to_finding__review__reference",
        "to_finding__number", "to_finding__title").order_by(
        "from_finding__review__reference", "from_finding__number"))
    manager = user.has_role(Role.BUSINESS_MANAGER)
    registers = {} if manager else review_registers({r[0] for r in rows} | {r[4] for r in rows})

    def shown(review_id: int, text: str) -> str:
        return text if manager else pseudonymise(text, registers.get(review_id, []))

    return [Repeat(a, ref, n, shown(a, title), b, ref_b, n_b, shown(b, title_b))
            for a, ref, n, title, b, ref_b, n_b, title_b in rows]
