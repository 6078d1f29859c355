"""The one place action plans read evidence requests (for the daily digest): those still
awaited from the agency (sent, acknowledged or returned for more), named by their kind
(an agency report, a chronology, a factual-accuracy check...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reviews.models import AWAITING_AGENCY, ENDED_STAGES, EvidenceKind, EvidenceRequest

__all__ = ["AwaitedRequest", "awaited_evidence_requests"]


@dataclass(frozen=True)
class AwaitedRequest:
    id: int
    review_id: int
    reference: str
    agency_id: int
    agency: str
    kind_label: str
    due_on: date


def awaited_evidence_requests(*, agency_ids: Iterable[int] | None, due_by: date
                              ) -> list[AwaitedRequest]:
    """Requests still awaited from these agencies (every agency if ``None``) due on or
    before ``due_by``, in one query, oldest due first."""
    qs = EvidenceRequest._base_manager.filter(status__in=sorted(AWAITING_AGENCY),
                                             due_on__lte=due_by).exclude(
        review__stage__in=sorted(ENDED_STAGES))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(set(agency_ids)))
    rows = qs.order_by("due_on", "id").values_list(
        "id", "review_id", "review__reference", "agency_id", "agency__name", "kind", "due_on")
    labels = dict(EvidenceKind.choices)
    return [AwaitedRequest(i, r, ref, a, name, str(labels.get(kind, kind)).lower(), due)
            for i, r, ref, a, name, kind, due in rows]
