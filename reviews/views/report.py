"""Report pages: the draft, the section editor (with conflicts and autosave), versions and
their comparison, comments, sign-off and the board's response.

The draft and its editor are the drafting team's (``change`` on the review, or on the
section); versions are read through their own scope (panel members: shared ones only);
agency leads and the board never reach a draft.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, selectors, services
from reviews.formats.diffing import word_diff
from reviews.models import (
    ReportComment,
    ReportSection,
    ReportSnapshot,
    Review,
    SectionDraft,
    SignOffDesignation,
    SignOffSubmission,
    SnapshotPart,
)
from reviews.models.scope import report_access
from reviews.selectors.report import approvers, live_submission, may_approve
from reviews.views.sections import section_context
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import mark_case_data, record_access
from scr.forms import add_service_errors
from scr.formviews import form_page, handle_form, record_form
from scr.models import AccessEvent

__all__ = [
    "approval_give",
    "board_response_record",
    "comment_add",
    "comment_resolve",
    "report_start",
    "review_report",
    "review_report_versions",
    "review_sign_off",
    "section_add",
    "section_autosave",
    "section_compare",
    "section_edit",
    "section_move",
    "section_versions",
    "sign_off_approver_add",
    "sign_off_approver_edit",
    "sign_off_approvers",
    "sign_off_designate",
    "sign_off_designation_end",
    "sign_off_submit",
    "snapshot_compare",
    "snapshot_create",
    "snapshot_detail",
    "snapshot_share",
]


def _report_url(obj: Any) -> str:
    return reverse("review_report", args=[getattr(obj, "review_id", obj.pk)])


def _versions_url(obj: Any) -> str:
    return reverse("review_report_versions", args=[getattr(obj, "review_id", obj.pk)])


def _version_reader(request: AuthenticatedHttpRequest, pk: int) -> Review:
    """A review whose versions this person reads (drafting team or its panel): else 403."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    if not report_access(request.user, review).reads_versions:
        raise PermissionDenied
    return review


@login_required
def review_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The draft report: every section rendered, with the records pulled in and the flags
    the reviewer must see before sign-off."""
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="report")
    return render(request, "reviews/review_report.html", {
        **section_context(request.user, review, "review_report"),
        **selectors.report_page(request.user, review)})


@login_required
def report_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Review, django_forms.Form,
        lambda data, review: services.report_start(by=request.user, review=review),
        pk=pk, action="change", title="Start the report", submit="Start the report",
        success="Report started.", back=_report_url, caption=lambda r: r.reference,
        intro="The report's sections are created in the usual order; you can reorder them and "
              "add your own.")


@login_required
def section_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Review, forms.SectionAddForm,
        lambda data, review: services.section_add(by=request.user, review=review, **data),
        pk=pk, action="change", title="Add a section", submit="Add the section",
        success="Section added.", back=_report_url, caption=lambda r: r.reference,
        form_kwargs=lambda review: {"review": review})


@login_required
def section_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    direction = "up" if request.GET.get("direction") == "up" else "down"
    return record_form(
        request, ReportSection, django_forms.Form,
        lambda data, obj: services.section_move(by=request.user, section=obj,
                                                direction=direction),
        pk=pk, action="change", title=lambda s: f"Move “{s}” {direction}",
        submit=f"Move {direction}", success="Section moved.", back=_report_url)


def _editor_initial(section: ReportSection, draft: SectionDraft | None) -> dict[str, Any]:
    if draft is not None:
        return {"body": draft.body, "base_version": draft.base_version}
    return {"body": section.current.body if section.current else "",
            "base_version": section.version_number}


def _save(request: AuthenticatedHttpRequest, section: ReportSection,
          form: forms.SectionForm) -> tuple[HttpResponse | None, Any]:
    """Save the section; a stale base is returned as the conflict to show, not raised."""
    if request.method != "POST" or not form.is_valid():
        return None, None
    submitted = live_submission(section.review)
    try:
        version = services.section_save(by=request.user, section=section, **form.cleaned_data)
    except services.SectionConflict as conflict:
        return None, conflict
    except ValidationError as error:
        add_service_errors(form, error)
        return None, None
    messages.success(request, f"“{section.title}” saved as version {version.number}.")
    if submitted is not None:
        messages.warning(request, f"{submitted.snapshot} was submitted for sign-off: this change "
                                  f"voided that submission and every approval of it.")
    return redirect(f"{_report_url(section)}#section-{section.pk}"), None


@login_required
def section_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The section editor. A save based on a stale version shows both texts with the
    difference marked; the form then carries the writer's text on the new base."""
    section = scoped_object_or_404(ReportSection, request.user, "change", pk=pk)
    draft = section.drafts.filter(author=request.user).first()
    form = forms.SectionForm(request.POST or None, initial=_editor_initial(section, draft))
    done, conflict = _save(request, section, form)
    if done:
        return done
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, section)
    mark_case_data(request)
    if conflict is not None:
        form = forms.SectionForm(initial={"body": conflict.yours,
                                                "base_version": section.version_number})
    return render(request, "reviews/section_edit.html", {
        **section_context(request.user, section.review, "review_report"), "section": section,
        "form": form, "draft": draft, "autosave_seconds": settings.REPORT_AUTOSAVE_SECONDS,
        **_conflict_context(conflict)})


def _conflict_context(conflict: Any) -> dict[str, Any]:
    """Both texts of a refused save, the saved one on the left, the difference marked."""
    if conflict is None:
        return {"conflict": None}
    saved = conflict.current
    return {"conflict": conflict, "diff": word_diff(saved.body if saved else "", conflict.yours),
            "before_label": f"Saved by {saved.saved_by if saved else 'someone else'}",
            "after_label": "Your text (not saved)"}


@require_POST
@login_required
def section_autosave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: keep the unsaved text (not a version). Answers with the status line."""
    section = scoped_object_or_404(ReportSection, request.user, "change", pk=pk)
    form = forms.SectionForm(request.POST)
    mark_case_data(request)
    if not form.is_valid():
        return render(request, "reviews/_autosave_status.html", {"error": True})
    try:
        draft = services.section_autosave(by=request.user, section=section,
                                          body=form.cleaned_data["body"],
                                          base_version=form.cleaned_data["base_version"])
    except ValidationError as error:
        return render(request, "reviews/_autosave_status.html", {"error": error.messages[0]})
    return render(request, "reviews/_autosave_status.html", {"draft": draft, "section": section})


@login_required
def section_versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = scoped_object_or_404(ReportSection, request.user, "change", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, section, label="versions")
    return render(request, "reviews/section_versions.html", {
        **section_context(request.user, section.review, "review_report"), "section": section,
        "versions": list(section.versions.select_related("saved_by"))})


def _pick(versions: Any, number: str | None) -> Any:
    try:
        return versions.get(number=int(number or ""))
    except (ValueError, versions.model.DoesNotExist) as exc:
        raise Http404("No such version") from exc


def _labels(old: Any, new: Any) -> dict[str, str]:
    return {"before_label": f"Version {old.number}" if old else "Empty",
            "after_label": f"Version {new.number}"}


@login_required
def section_compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two versions of one section side by side (``?a=2&b=5``; by default the last two)."""
    section = scoped_object_or_404(ReportSection, request.user, "change", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, section, label="compare")
    versions = section.versions.select_related("saved_by")
    new = _pick(versions, request.GET.get("b") or str(section.version_number))
    old = _pick(versions, request.GET["a"]) if request.GET.get("a") else versions.filter(
        number__lt=new.number).first()
    return render(request, "reviews/compare.html", {
        **section_context(request.user, section.review, "review_report"), "old": old,
        "new": new, "rows": [("", selectors.compare_section_versions(old, new), "changed")],
        "title": f"Compare versions of “{section}”", **_labels(old, new)})


@login_required
def review_report_versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _version_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="report versions")
    return render(request, "reviews/review_report_versions.html", {
        **section_context(request.user, review, "review_report_versions"),
        "snapshots": selectors.snapshots_for(request.user, review),
        "submission": selectors.sign_off_status(request.user, review)["submission"]})


@login_required
def snapshot_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def save(data: dict[str, Any], review: Review) -> ReportSnapshot:
        return services.snapshot_create(by=request.user, review=review, name=data["name"],
                                        share=data["share"])

    return record_form(
        request, Review, forms.SnapshotForm, save, pk=pk, action="change",
        title="Name a version of the report", submit="Name this version",
        success="Version named.", back=_versions_url, caption=lambda r: r.reference,
        intro="The whole report is frozen as it stands now: later edits never change it.")


@login_required
def snapshot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One version of the report, with the comments on each section."""
    snapshot = scoped_object_or_404(ReportSnapshot, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, snapshot)
    drafting = report_access(request.user, snapshot.review).drafting
    return render(request, "reviews/snapshot.html", {
        **section_context(request.user, snapshot.review, "review_report_versions"),
        "snapshot": snapshot, "may_submit": drafting,
        "factual_checks": selectors.factual_checks_of(request.user, snapshot) if drafting else [],
        **selectors.snapshot_page(request.user, snapshot)})


@login_required
def snapshot_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ReportSnapshot, django_forms.Form,
        lambda data, obj: services.snapshot_share(by=request.user, snapshot=obj),
        pk=pk, action="change", title=lambda s: f"Share {s} with the panel",
        submit="Share with the panel", success="Shared with the panel.", back=_versions_url)


@login_required
def snapshot_compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two versions of the whole report side by side (``?a=<number>&b=<number>``)."""
    review = _version_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="compare versions")
    visible = ReportSnapshot.objects.for_user(request.user).filter(review=review)
    new = _pick(visible, request.GET.get("b"))
    old = _pick(visible, request.GET.get("a"))
    return render(request, "reviews/compare.html", {
        **section_context(request.user, review, "review_report_versions"), "old": old,
        "new": new, "rows": selectors.compare_snapshots(old, new),
        "title": f"Compare version {old.number} with version {new.number}", **_labels(old, new)})


@login_required
def comment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, SnapshotPart, forms.CommentForm,
        lambda data, obj: services.comment_add(by=request.user, part=obj, **data),
        pk=pk, action="view", title=lambda p: f"Comment on “{p}”", submit="Add the comment",
        success="Comment added.", caption=lambda p: str(p.snapshot),
        back=lambda p: f"{reverse('snapshot', args=[p.snapshot_id])}#part-{p.pk}")


@login_required
def comment_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ReportComment, forms.ResolveForm,
        lambda data, obj: services.comment_resolve(by=request.user, comment=obj, **data),
        pk=pk, action="change", title="Resolve the comment", submit="Resolve",
        success="Comment resolved.", intro=lambda c: f"“{c.text}” ({c.author})",
        back=lambda c: f"{reverse('snapshot', args=[c.snapshot_id])}#part-{c.part_id}")


@login_required
def sign_off_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ReportSnapshot, django_forms.Form,
        lambda data, obj: services.sign_off_submit(by=request.user, snapshot=obj),
        pk=pk, action="change", title=lambda s: f"Submit {s} for sign-off",
        submit="Submit for sign-off", success="Submitted for sign-off.",
        back=lambda s: reverse("review_sign_off", args=[s.review_id]),
        intro="This exact version is shared with the panel and goes to every approver. Any "
              "later change to the report voids the submission and its approvals.")


@login_required
def review_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _version_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="sign-off")
    return render(request, "reviews/review_sign_off.html", {
        **section_context(request.user, review, "review_sign_off"),
        **selectors.sign_off_status(request.user, review)})


@login_required
def approval_give(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Approve the submitted version as one of the approvers this person may speak for.
    A version that is no longer current is refused, with the current version linked."""
    submission = scoped_object_or_404(SignOffSubmission, request.user, pk=pk)
    choices = [(a.key, a.label) for a in approvers() if may_approve(request.user,
                                                                     submission.review, a)]
    if not choices:
        raise PermissionDenied
    current = selectors.sign_off_status(request.user, submission.review)["current_snapshot"]
    return record_form(
        request, submission, forms.ApprovalForm,
        lambda data, obj: services.approval_give(by=request.user, submission=obj, **data),
        title=f"Approve version {submission.snapshot.number}", submit="Approve",
        success="Approval recorded.", form_kwargs=lambda s: {"choices": choices},
        back=reverse("review_sign_off", args=[submission.review_id]),
        link=(f"Read the current version: {current}", reverse("snapshot", args=[current.pk]))
        if current else None)


@login_required
def board_response_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def targets(review: Review) -> list[tuple[str, str, str]]:
        return ([(f"finding-{f.pk}", str(f), f.statement)
                 for f in review.findings.filter(withdrawn=False)]
                + [(f"recommendation-{r.pk}", str(r), r.text)
                   for r in review.recommendations.filter(withdrawn=False)])

    return record_form(
        request, Review, forms.BoardResponseForm,
        lambda data, review: services.board_response_record(
            by=request.user, review=review, response=data["response"],
            monitoring=data["monitoring"], decisions=data["decisions"]),
        pk=pk, action="manage", title="Record the board's response", submit="Save the response",
        success="Board response recorded.", caption=lambda r: r.reference,
        back=lambda r: reverse("review_sign_off", args=[r.pk]),
        form_kwargs=lambda review: {"targets": targets(review)})


# ------------------------------------------------- who must approve (a partnership setting)


def _approver(key: str) -> selectors.Approver:
    found = next((a for a, _, _ in selectors.approver_settings() if a.key == key), None)
    if found is None:
        raise Http404
    return found


@role_required(Role.BUSINESS_MANAGER)
def sign_off_approvers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whose approval sign-off needs, who can give each, and the designations."""
    return render(request, "reviews/sign_off_approvers.html", {
        "rows": selectors.approver_settings(),
        "customised": selectors.approvers_customised()})


@role_required(Role.BUSINESS_MANAGER)
def sign_off_approver_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.ApproverAddForm(request.POST or None)
    back = reverse("sign_off_approvers")
    done = handle_form(request, form, lambda data, _: services.sign_off_approver_add(
        by=request.user, **data), success=lambda a: f"{a} added.", done_url=back)
    return done or form_page(request, form, title="Add a partner whose approval sign-off needs",
                             submit="Add the partner", back=back)


@role_required(Role.BUSINESS_MANAGER)
def sign_off_approver_edit(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    approver = _approver(key)
    retired = next(r for a, r, _ in selectors.approver_settings() if a.key == key)
    form = forms.ApproverForm(request.POST or None,
                              initial={"label": approver.label, "retired": retired})
    back = reverse("sign_off_approvers")
    done = handle_form(request, form, lambda data, _: services.sign_off_approver_update(
        by=request.user, key=key, **data), success="Approvers saved.", done_url=back)
    return done or form_page(request, form, title=f"Change the approver “{approver.label}”",
                             submit="Save", back=back,
                             intro="A version already submitted needs the approvals of the "
                                   "list as it stands when each approval is given.")


@role_required(Role.BUSINESS_MANAGER)
def sign_off_designate(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    approver = _approver(key)
    if not approver.kind:
        raise Http404
    form = forms.DesignateForm(request.POST or None, agency_kind=approver.kind)
    back = request.GET.get("back", "") if url_has_allowed_host_and_scheme(
        request.GET.get("back", ""), allowed_hosts=None) else ""
    back = back or reverse("sign_off_approvers")
    done = handle_form(request, form, lambda data, _: services.sign_off_designate(
        by=request.user, key=key, user=data["user"]),
        success=lambda d: f"{d.user} can now give the approval of {approver.label}.",
        done_url=back)
    kind = Agency.Kind(approver.kind).label.lower()
    return done or form_page(
        request, form, title=f"Designate a representative of {approver.label}",
        submit="Designate", back=back,
        intro=f"The agency lead you choose can approve the report for {approver.label} on every "
              f"review whose versions they may read (their agency is involved), without a "
              f"seat on the panel. Only agency leads of a {kind} agency are listed.",
        link=("Give someone the agency lead role", reverse("people")))


@login_required
def sign_off_designation_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, SignOffDesignation, forms.DesignationEndForm,
        lambda data, obj: services.sign_off_designation_end(by=request.user, designation=obj,
                                                            reason=data["reason"]),
        pk=pk, title=lambda d: f"End the designation of {d.user}", submit="End the designation",
        success="Designation ended.", back=reverse("sign_off_approvers"), log_view=False,
        danger=True)
