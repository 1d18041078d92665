"""The review queue: possible matches found on demographics, merging, and undoing a merge.

Only safeguarding leads and agency admins review, and only pairs whose networks they may
both see; the merge services check the same again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from caregraph.models import AuditAction, MatchCandidate, Merge, Person
from caregraph.policy import user_may_review_matches
from caregraph.selectors import match_candidates_open, merge_list_undoable
from caregraph.services.audit import audit_record
from caregraph.services.matching import match_candidate_dismiss
from caregraph.services.merge import person_merge, person_merge_undo
from frontend.forms.people import MergeForm, MergeUndoForm
from frontend.views.common import action_post, page_post, posted, signed_in_user

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

    def merge(data: dict[str, Any]) -> tuple[Person, Person]:
        survivor = people[data["survivor"]]
        merged = next(person for person in people.values() if person is not survivor)
        person_merge(
            survivor=survivor,
            merged=merged,
            performed_by=signed_in_user(request),
            reason=data["reason"],
        )
        return survivor, merged

    done = page_post(
        request,
        form,
        merge,
        success_url="match_list",
        message=lambda pair: (
            f"Record {pair[1].pk} is merged into record {pair[0].pk}. You can undo it."
        ),
        refused="No such possible match",
    )
    if done is not None:
        return done
    return render(request, "frontend/matches/merge.html", {"candidate": candidate, "form": form})


@login_required
@require_POST
def match_dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = _candidate(request, candidate_id)
    return action_post(
        request,
        lambda: match_candidate_dismiss(candidate=candidate, decided_by=signed_in_user(request)),
        success_url="match_list",
        message=f"Records {candidate.person_id} and {candidate.candidate_id} are marked as "
        "not the same person.",
        refused="No such possible match",
    )


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
    done = page_post(
        request,
        form,
        lambda data: person_merge_undo(
            merge=merge, undone_by=signed_in_user(request), reason=data["reason"]
        ),
        success_url="match_list",
        message=f"The merge is undone: records {merge.survivor_id} and "
        f"{merge.merged_id} are separate again.",
        refused="No such merge",
    )
    if done is not None:
        return done
    return render(request, "frontend/matches/undo.html", {"merge": merge, "form": form})
