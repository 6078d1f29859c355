"""Analysis pages: findings with their evidence, key lines of enquiry, recommendations with
their warnings, the partnership's themes and the themes that recur across reviews."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, selectors, services
from reviews.models import Finding, FindingEvidence, Recommendation, Review, Theme
from reviews.views.sections import section_context
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import mark_case_data, record_access
from scr.formviews import form_page, handle_form, record_form
from scr.models import AccessEvent

__all__ = [
    "finding_add",
    "finding_detail",
    "finding_earlier",
    "finding_edit",
    "finding_evidence_add",
    "finding_evidence_withdraw",
    "finding_withdraw",
    "recommendation_add",
    "recommendation_edit",
    "recommendation_withdraw",
    "review_analysis",
    "theme_add",
    "theme_delete",
    "theme_edit",
    "themes",
    "themes_recurring",
]


def _analysis_url(obj: Any) -> str:
    return reverse("review_analysis", args=[getattr(obj, "review_id", obj.pk)])


@login_required
def review_analysis(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The drafting team's analysis: findings (flagged without evidence), key lines of
    enquiry (flagged without a finding), recommendations and their warnings."""
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="analysis")
    findings = selectors.findings_for_page(request.user, review)
    recs = selectors.recommendations_for_page(request.user, review)
    return render(request, "reviews/review_analysis.html", {
        **section_context(request.user, review, "review_analysis"), "findings": findings,
        "recommendations": recs, "lines": selectors.lines_of_enquiry(review, findings),
        "warnings": selectors.recommendation_warnings(review, recs),
        "unevidenced": [f for f in findings if not f.live_evidence]})


def _finding_page(request: AuthenticatedHttpRequest, review: Review, finding: Finding | None,
                  save: Any) -> HttpResponse:
    """The finding form beside the earlier published findings that share its themes."""
    form = forms.FindingForm(request.POST or None, review=review, finding=finding,
                                   initial=_finding_initial(finding))
    done = handle_form(request, form, save, success="Finding saved.",
                       done_url=lambda f: reverse("finding", args=[f.pk]), obj=finding)
    if done:
        return done
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, finding or review)
    mark_case_data(request)
    themes = [int(t) for t in (form["themes"].value() or []) if str(t).isdigit()]
    repeats = {f.pk for f in finding.repeats.all()} if finding else set()
    return render(request, "reviews/finding_form.html", {
        "form": form, "review": review, "finding": finding, "repeats": repeats,
        "earlier": selectors.earlier_findings(review, themes),
        "back": reverse("finding", args=[finding.pk]) if finding else _analysis_url(review)})


def _finding_initial(finding: Finding | None) -> dict[str, Any]:
    if finding is None:
        return {}
    return {"title": finding.title, "statement": finding.statement,
            "why_it_matters": finding.why_it_matters, "themes": list(finding.themes.all()),
            "lines_of_enquiry": finding.lines_of_enquiry}


def _repeats(request: AuthenticatedHttpRequest) -> list[Finding]:
    ids = [int(i) for i in request.POST.getlist("repeats") if i.isdigit()]
    return list(Finding.objects.filter(pk__in=ids).select_related("review"))


@login_required
def finding_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    return _finding_page(request, review, None, lambda data, _: services.finding_create(
        by=request.user, review=review, repeats=_repeats(request), **data))


@login_required
def finding_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = scoped_object_or_404(Finding, request.user, "change", pk=pk)
    return _finding_page(request, finding.review, finding, lambda data, obj: services.finding_update(
        by=request.user, finding=obj, repeats=_repeats(request), **data))


@login_required
def finding_earlier(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: the earlier published findings sharing the themes ticked on the form."""
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="earlier findings")
    themes = [int(t) for t in request.GET.getlist("themes") if t.isdigit()]
    chosen = {int(t) for t in request.GET.getlist("repeats") if t.isdigit()}
    return render(request, "reviews/_earlier_findings.html", {
        "earlier": selectors.earlier_findings(review, themes), "repeats": chosen})


@login_required
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One finding with the evidence it rests on shown inline."""
    finding = scoped_object_or_404(Finding, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, finding)
    found = next(f for f in selectors.findings_for_page(request.user, finding.review)
                 if f.pk == finding.pk) if not finding.withdrawn else finding
    return render(request, "reviews/finding.html", {
        **section_context(request.user, finding.review, "review_analysis"), "finding": found,
        "evidence": getattr(found, "live_evidence", []),
        "recommendations": finding.recommendations.filter(withdrawn=False),
        "earlier": selectors.earlier_findings(finding.review, [t.pk for t in found.themes.all()])})


@login_required
def finding_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Finding, forms.ReasonMixin,
        lambda data, obj: services.finding_withdraw(by=request.user, finding=obj, **data),
        pk=pk, action="change", title=lambda f: f"Withdraw {f}", submit="Withdraw the finding",
        success="Finding withdrawn.", back=_analysis_url, danger=True)


@login_required
def finding_evidence_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Finding, forms.FindingEvidenceForm,
        lambda data, obj: services.finding_evidence_add(by=request.user, finding=obj, **data),
        pk=pk, action="change", title=lambda f: f"Link evidence to {f}", submit="Link evidence",
        success="Evidence linked.", back=lambda f: reverse("finding", args=[f.pk]),
        form_kwargs=lambda f: {"review": f.review})


@login_required
def finding_evidence_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, FindingEvidence, forms.ReasonMixin,
        lambda data, obj: services.finding_evidence_withdraw(by=request.user, link=obj, **data),
        pk=pk, action="change", title=lambda link: f"Remove evidence: {link}",
        submit="Remove the link", success="Evidence link removed.",
        back=lambda link: reverse("finding", args=[link.finding_id]), danger=True)


def _recommendation_initial(rec: Recommendation) -> dict[str, Any]:
    return {"text": rec.text, "findings": list(rec.findings.all()), "addressee": rec.addressee,
            "agency": rec.agency, "scope": rec.scope, "outcome_expected": rec.outcome_expected}


@login_required
def recommendation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Review, forms.RecommendationForm,
        lambda data, review: services.recommendation_create(by=request.user, review=review, **data),
        pk=pk, action="change", title="Add a recommendation", submit="Save the recommendation",
        success="Recommendation saved.", back=_analysis_url, caption=lambda r: r.reference,
        form_kwargs=lambda review: {"review": review})


@login_required
def recommendation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Recommendation, forms.RecommendationForm,
        lambda data, obj: services.recommendation_update(by=request.user, recommendation=obj,
                                                         **data),
        pk=pk, action="change", title=lambda r: f"Change {r}", submit="Save the recommendation",
        success="Recommendation saved.", back=_analysis_url, initial=_recommendation_initial,
        form_kwargs=lambda r: {"review": r.review, "editing": True})


@login_required
def recommendation_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Recommendation, forms.ReasonMixin,
        lambda data, obj: services.recommendation_withdraw(by=request.user, recommendation=obj,
                                                           **data),
        pk=pk, action="change", title=lambda r: f"Withdraw {r}",
        submit="Withdraw the recommendation", success="Recommendation withdrawn.",
        back=_analysis_url, danger=True)


# ---------------------------------------------------------------- themes


@role_required(Role.BUSINESS_MANAGER)
def themes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The partnership's list of themes, with how many findings use each."""
    counts = {r.name: r.findings for r in selectors.recurring_themes(published_only=False)}
    return render(request, "reviews/themes.html", {"themes": [
        (t, counts.get(t.name, 0)) for t in Theme.objects.for_user(request.user, "manage")]})


@role_required(Role.BUSINESS_MANAGER, Role.BOARD_MEMBER)
def themes_recurring(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For the board: how many published reviews and findings carry each theme (counts
    only, never a name)."""
    return render(request, "reviews/themes_recurring.html",
                  {"rows": selectors.recurring_themes(published_only=True)})


@role_required(Role.BUSINESS_MANAGER)
def theme_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.ThemeForm(request.POST or None)
    done = handle_form(request, form, lambda data, _: services.theme_create(
        by=request.user, name=data["name"], description=data["description"]),
        success="Theme added.", done_url=reverse("themes"))
    return done or form_page(request, form, title="Add a theme", submit="Add the theme",
                             back=reverse("themes"))


@login_required
def theme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Theme, forms.ThemeForm,
        lambda data, obj: services.theme_update(by=request.user, theme=obj, **data),
        pk=pk, title=lambda t: f"Change the theme “{t}”", submit="Save", success="Theme saved.",
        back=reverse("themes"), log_view=False,
        initial=lambda t: {"name": t.name, "description": t.description, "retired": t.retired})


@login_required
def theme_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Theme, django_forms.Form,
        lambda data, obj: services.theme_delete(by=request.user, theme=obj),
        pk=pk, title=lambda t: f"Delete the theme “{t}”", submit="Delete the theme",
        success="Theme deleted.", back=reverse("themes"), log_view=False, danger=True,
        intro="Only a theme no finding has used can be deleted; a theme in use can be retired.")
