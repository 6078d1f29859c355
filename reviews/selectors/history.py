"""A review's merged history: the review's own and every record's, each through its scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from reviews.models import Review, review_record_models

if TYPE_CHECKING:
    from agencies.models import User

__all__ = ["review_histories"]


def review_histories(user: User, review: Review) -> dict[str, tuple[str, QuerySet]]:
    """{key: (label, historical rows)} of the review and each kind of record it has.

    The caller has checked that ``user`` may read this review's history
    (``scoped_object_or_404(Review, user, "view_history")``). Every record model (a
    ``ReviewRecord`` subclass) gives its rows through ``history_in``: one plain query, or,
    for a model with a narrower scope, through its own ``for_user(user, "view_history")``
    (an agency lead reads only their agency's evidence requests). A new kind of record
    joins the page by subclassing ``ReviewRecord``.
    """
    histories = {"review": (str(Review._meta.verbose_name).capitalize(),
                            Review.history.filter(id=review.pk))}
    for model in review_record_models():
        histories[str(model._meta.model_name)] = (str(model._meta.verbose_name).capitalize(),
                                             model.history_in(user, review))
    return histories
