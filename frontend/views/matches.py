"""The review queue: possible matches found on demographics, merging, and undoing a merge.

Only safeguarding leads and agency admins review, and only pairs whose networks they may
both see; the merge services check the same again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from caregraph.models import AuditAction, MatchCandidate, Merge, Person
from caregraph.policy import user_may_review_matches
from caregraph.selectors import merge_list_undoable
from caregraph.services.audit import audit_record
from caregraph.services.matching import match_candidates_open
from caregraph.services.merge import match_candidate_dismiss, person_merge, person_merge_undo
from frontend.forms.kit import form_errors_from_service
from frontend.forms.people import MergeForm, MergeUndoForm
from frontend.views.common import posted, signed_in_user

QUEUE_PAGE_SIZE = 50
RECENT_MERGES = 20


def _reviewer(request: HttpRequest) -> None:
    if not user_may_review_matches(user=request.user):
        raise Http404("No such page")


def _candidate(request: HttpRequest, candidate_id: int) -> MatchCandidate:
    _reviewer(request)
    candidate = match_candidates_open(user=request.user).filter(pk=candidate_id).first()
    if candidate is None:
        raise Http404("No such possible match")
    return candidate


def _audit_seen(request: HttpRequest, people: list[Person], summary: str) -> None:
    for person in people:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            summary=summary,
            object_type="person",
            object_id=person.pk,
            person=person,
            request=request,
        )


@login_required
def match_list(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    user = signed_in_user(request)
    candidates = list(match_candidates_open(user=user)[:QUEUE_PAGE_SIZE])
    merges = list(merge_list_undoable(user=user)[:RECENT_MERGES])
    _audit_seen(
        request,
        [person for pair in candidates for person in (pair.person, pair.candidate)],
        "Seen in the review queue of possible matches",
    )
    return render(
        request, "frontend/matches/list.html", {"candidates": candidates, "merges": merges}
    )


@login_required
@require_http_methods(["GET", "POST"])
def match_merge(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = _candidate(request, candidate_id)
    people = {str(person.pk): person for person in (candidate.person, candidate.candidate)}
    choices = [(key, f"Keep record {key}: {person.full_name}") for key, person in people.items()]
    form = MergeForm(posted(request), choices=choices)
    if request.method == "POST" and form.is_valid():
        survivor = people[form.cleaned_data["survivor"]]
        merged = next(person for key, person in people.items() if person is not survivor)
        try:
            person_merge(
                survivor=survivor,
                merged=merged,
                performed_by=signed_in_user(request),
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as refused:
            raise Http404("No such possible match") from refused
        except ValidationError as error:
            form_errors_from_service(form, error)
        else:
            messages.success(
                request, f"Record {merged.pk} is merged into record {survivor.pk}. You can undo it."
            )
            return redirect("match_list")
    return render(request, "frontend/matches/merge.html", {"candidate": candidate, "form": form})


@login_required
@require_POST
def match_dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = _candidate(request, candidate_id)
    try:
        match_candidate_dismiss(candidate=candidate, decided_by=signed_in_user(request))
    except PermissionDenied as refused:
        raise Http404("No such possible match") from refused
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Records {candidate.person_id} and {candidate.candidate_id} are marked as "
            "not the same person.",
        )
    return redirect("match_list")


def _merge(request: HttpRequest, merge_id: int) -> Merge:
    _reviewer(request)
    merge = merge_list_undoable(user=request.user).filter(pk=merge_id).first()
    if merge is None:
        raise Http404("No such merge")
    return merge


@login_required
@require_http_methods(["GET", "POST"])
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _merge(request, merge_id)
    form = MergeUndoForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person_merge_undo(
                merge=merge, undone_by=signed_in_user(request), reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as refused:
            raise Http404("No such merge") from refused
        except ValidationError as error:
            form_errors_from_service(form, error)
        else:
            messages.success(
                request,
                f"The merge is undone: records {merge.survivor_id} and "
                f"{merge.merged_id} are separate again.",
            )
            return redirect("match_list")
    return render(request, "frontend/matches/undo.html", {"merge": merge, "form": form})
