"""An action's page and the forms that update it (agency: progress, milestones, target date,
evidence of impact; business manager: verify, return, close), and the evidence download."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from actionplans import forms, services
from actionplans.models import Action, ImpactEvidence, Milestone
from actionplans.selectors import action_page
from actionplans.views.base import action_back, plan_back
from actionplans.views.measures import measure_chart
from agencies.views.http import AuthenticatedHttpRequest
from reviews.models import Recommendation
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import document_response
from scr.formviews import record_form
from scr.models import AccessEvent

__all__ = [
    "action",
    "action_add",
    "action_close",
    "action_evidence_add",
    "action_progress",
    "action_return",
    "action_target_date",
    "action_verify",
    "impact_evidence_download",
    "milestone_add",
    "milestone_done",
]


@login_required
def action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One action: everyone in its scope reads it; out of scope (another agency's) is a 404."""
    obj = scoped_object_or_404(Action, request.user, "view", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, obj)
    page = action_page(request.user, obj)
    page["measure_chart"] = measure_chart(f"{obj.reference}: the success measure over time",
                                          page["measures"])
    return render(request, "actionplans/action.html", page)


@login_required
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Recommendation, forms.ActionForm,
        lambda data, rec: services.action_create(by=request.user, recommendation=rec, **data),
        pk=pk, title=lambda rec: f"Add an action to recommendation {rec.number}",
        caption=lambda rec: rec.review.reference, submit="Add the action",
        success="Action added.", back=lambda rec: plan_back(rec.review_id),
        initial=lambda rec: {"scope": rec.scope, "lead_agency": rec.agency_id})


@login_required
def action_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Action, forms.ProgressForm,
        lambda data, obj: services.action_update_progress(by=request.user, action=obj, **data),
        pk=pk, action="change", title=lambda a: f"Update {a}", caption=lambda a: a.review.reference,
        submit="Save progress", success="Progress saved.", back=action_back,
        initial=lambda a: {"agency_response": a.agency_response},
        form_kwargs=lambda a: {"action": a})


@login_required
def milestone_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Action, forms.MilestoneForm,
        lambda data, obj: services.milestone_add(by=request.user, action=obj, **data),
        pk=pk, action="change", title="Add a milestone", submit="Add the milestone",
        success="Milestone added.", back=action_back)


@login_required
def milestone_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Milestone, forms.MilestoneDoneForm,
        lambda data, obj: services.milestone_mark_done(by=request.user, milestone=obj, **data),
        pk=pk, action="change", title=lambda m: f"Mark done: {m.description}",
        submit="Mark as done", success="Milestone marked as done.", back=action_back)


@login_required
def action_target_date(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Action, forms.TargetDateForm,
        lambda data, obj: services.action_change_target_date(by=request.user, action=obj, **data),
        pk=pk, action="change", title="Change the target date", submit="Change the date",
        success="Target date changed.", back=action_back,
        intro=lambda a: f"The original target date was {a.original_target_date:%-d %B %Y}; "
                        f"the target date now is {a.target_date:%-d %B %Y}.")


@login_required
def action_evidence_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Action, forms.EvidenceForm,
        lambda data, obj: services.impact_evidence_add(by=request.user, action=obj,
                                                       title=data["title"], upload=data["file"]),
        pk=pk, action="change", title="Attach evidence of impact", submit="Upload",
        success="Evidence of impact attached.", back=action_back, caption=lambda a: a.reference)


@login_required
def impact_evidence_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(ImpactEvidence._base_manager, pk=pk)
    return document_response(request, document, lambda user, doc: ImpactEvidence.objects.for_user(
        user, "view").filter(pk=doc.pk).exists())


def _manager_form(form_class: type, service: Callable[..., object], title: str, submit: str,
                  success: str) -> Callable[[AuthenticatedHttpRequest, int], HttpResponse]:
    @login_required
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        return record_form(
            request, Action, form_class,
            lambda data, obj: service(by=request.user, action=obj, **data),
            pk=pk, title=lambda a: f"{title} {a}", caption=lambda a: a.review.reference,
            submit=submit, success=success, back=action_back)
    return view


action_verify = _manager_form(forms.VerifyForm, services.action_verify, "Verify",
                              "Verify the evidence of impact", "Action verified.")
action_return = _manager_form(forms.ReturnForm, services.action_return, "Return",
                              "Return to the agency", "Action returned to the agency.")
action_close = _manager_form(forms.CloseForm, services.action_close, "Formally close",
                             "Close the action", "Action formally closed.")
