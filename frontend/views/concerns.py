"""Concerns about the person: the list (live), raising one, its detail and history with the
actions the viewer may take, and the network's multi-agency chronology."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from caregraph.models import AuditAction, Network, Severity
from caregraph.policy import Viewer, people_hidden_from
from caregraph.services.audit import audit_record
from concerns.chronology import chronology_for_viewer
from concerns.models import Concern, ConcernStatus
from concerns.rules import (
    concern_actions,
    concern_may_close,
    concern_may_withdraw,
    concern_raised_by,
)
from concerns.selectors import (
    concern_get_for_viewer,
    concern_history,
    concern_list_visible_to,
    concern_outcomes_for_viewer,
)
from concerns.services import (
    concern_acknowledge,
    concern_close,
    concern_raise,
    concern_review_start,
    concern_update_add,
    concern_withdraw,
)
from frontend.forms.concerns import (
    ChronologyFilterForm,
    ConcernCloseForm,
    ConcernFilterForm,
    ConcernRaiseForm,
    ConcernUpdateForm,
    ConcernWithdrawForm,
)
from frontend.forms.kit import GovForm
from frontend.fragments import fragment_cached
from frontend.fragments_pages import chronology_html, concern_rows_html
from frontend.kept_pages import kept_page
from frontend.views.common import (
    audit_view,
    network_context,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)

LIST_PAGE_SIZE = 50
# GOV.UK tag colours, shared with live.mjs through the page (json_script) so both agree.
SEVERITY_TAGS = {
    Severity.LOW: "govuk-tag--grey",
    Severity.MEDIUM: "govuk-tag--yellow",
    Severity.HIGH: "govuk-tag--orange",
    Severity.URGENT: "govuk-tag--red",
}
STATUS_TAGS = {
    ConcernStatus.OPEN: "govuk-tag--blue",
    ConcernStatus.ACKNOWLEDGED: "govuk-tag--turquoise",
    ConcernStatus.UNDER_REVIEW: "govuk-tag--purple",
    ConcernStatus.CLOSED: "govuk-tag--grey",
    ConcernStatus.WITHDRAWN: "govuk-tag--grey",
}


def tag_classes() -> dict[str, dict[str, str]]:
    return {
        "severity": {str(k): v for k, v in SEVERITY_TAGS.items()},
        "status": {str(k): v for k, v in STATUS_TAGS.items()},
    }


def _row(concern: Concern) -> dict[str, Any]:
    """A concern with the tag classes of its severity and status, for the templates."""
    return {
        "concern": concern,
        "severity_tag": SEVERITY_TAGS.get(concern.severity, ""),  # type: ignore[call-overload]
        "status_tag": STATUS_TAGS.get(concern.status, ""),  # type: ignore[call-overload]
    }


def _concern_table(
    viewer: Viewer, *, network_id: int, filters: dict[str, Any], page_asked: str | None, query: str
) -> dict[str, Any]:
    """One page of the concerns table: its rows and its pagination, rendered."""
    paginator = Paginator(concern_list_visible_to(viewer=viewer, **filters), LIST_PAGE_SIZE)
    page = paginator.get_page(page_asked)
    rows = [_row(concern) for concern in page]
    pagination = render_to_string(
        "frontend/includes/pagination.html",
        {
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number, on_ends=1)),
            "ellipsis": Paginator.ELLIPSIS,
            "query": query,
            "label": "Pages of concerns",
        },
    )
    return {
        "rows": concern_rows_html(rows, network_id=network_id),
        "has_rows": bool(rows),
        "first_page": page.number == 1,
        "pagination": mark_safe(pagination),  # noqa: S308 (rendered by the template)  # nosec B308 B703
    }


@login_required
def concern_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """The concerns the viewer may see, newest first, filtered; new ones arrive live."""
    network, viewer = network_for_request(request, network_id)
    audit_view(request, network=network, summary="Viewed the concerns")
    return kept_page(
        request,
        "concerns",
        network=network,
        viewer=viewer,
        render=lambda: _concern_list_render(request, network, viewer),
    )


def _concern_list_render(request: HttpRequest, network: Network, viewer: Viewer) -> HttpResponse:
    # The page is as new as this sequence: the live script asks for what came after it.
    live_sequence = network.last_sequence
    filter_form = ConcernFilterForm(request.GET if request.GET else None)
    filters = filter_form.filters
    query = request.GET.copy()
    page_asked = query.pop("page", [None])[-1]
    # The same state of the network, read by the same audiences, shows the same table.
    table = fragment_cached(
        "concerns",
        network=network,
        viewer=viewer,
        render=lambda: _concern_table(
            viewer,
            network_id=network.pk,
            filters=filters,
            page_asked=page_asked,
            query=query.urlencode(),
        ),
        vary=(sorted(filters.items()), page_asked, query.urlencode()),
    )
    return render(
        request,
        "frontend/concerns/list.html",
        network_context(
            network,
            viewer,
            filter_form=filter_form,
            filters=filters,
            table=table,
            live_sequence=live_sequence,
            tag_classes=tag_classes(),
            section="concerns",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Raising a concern: a GOV.UK form that needs no JavaScript. Nothing is kept unless all
    of it is right."""
    network, viewer = network_for_request(request, network_id)
    if not viewer.may_raise_concern:
        raise Http404("No such page")
    form = ConcernRaiseForm(posted(request), visibilities=viewer.concern_visibilities_allowed())
    done = page_post(
        request,
        form,
        lambda data: concern_raise(
            network=network,
            viewer=viewer,
            raised_by=signed_in_user(request),
            category=data["category"],
            severity=data["severity"],
            description=data["description"],
            visibility=data["visibility"],
            happened_at=data["happened_at"],
        ),
        success_url=lambda concern: reverse("concern_detail", args=[network.pk, concern.pk]),
        message="Your concern has been raised.",
        fields=ConcernRaiseForm.SERVICE_FIELDS,
        refused="No such page",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/concerns/raise.html",
        network_context(network, viewer, form=form, section="concerns"),
    )


def _concern(request: HttpRequest, network_id: int, concern_id: int) -> tuple[Concern, Viewer]:
    _network, viewer = network_for_request(request, network_id)
    return concern_get_for_viewer(viewer=viewer, concern_id=concern_id), viewer


def _detail(
    request: HttpRequest,
    concern: Concern,
    viewer: Viewer,
    *,
    form: GovForm | None = None,
    update_form: ConcernUpdateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    network = concern.network
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        summary="Viewed a concern",
        object_type="concern",
        object_id=concern.pk,
        network=network,
        request=request,
    )
    actions = concern_actions(viewer=viewer, concern=concern)
    history = list(concern_history(concern=concern, viewer=viewer))
    hidden = people_hidden_from(
        viewer=viewer,
        user_ids=[concern.created_by_id, concern.acknowledged_by_id]
        + [update.created_by_id for update in history],
    )
    return render(
        request,
        "frontend/concerns/detail.html",
        network_context(
            network,
            viewer,
            concern=concern,
            **{k: v for k, v in _row(concern).items() if k != "concern"},
            history=history,
            outcome=concern_outcomes_for_viewer(concerns=[concern], viewer=viewer).get(concern.pk),
            hidden_people=hidden,
            raised_it=concern_raised_by(concern=concern, viewer=viewer),
            actions=actions,
            # `form` is what the error summary reads: the form that was sent, if any.
            form=form,
            update_form=update_form or (ConcernUpdateForm() if actions["update"] else None),
            section="concerns",
        ),
        status=status,
    )


@login_required
def concern_detail_page(request: HttpRequest, network_id: int, concern_id: int) -> HttpResponse:
    concern, viewer = _concern(request, network_id, concern_id)
    return _detail(request, concern, viewer)


def _refused(
    request: HttpRequest, concern: Concern, viewer: Viewer, error: ValidationError
) -> HttpResponse:
    """The concern changed under the user (acknowledged by someone else, closed): say so."""
    form = GovForm(data={})
    form.is_valid()
    form.add_error(None, error.messages)
    fresh = concern_get_for_viewer(viewer=viewer, concern_id=concern.pk)
    return _detail(request, fresh, viewer, form=form)


@login_required
@require_POST
def concern_acknowledge_action(
    request: HttpRequest, network_id: int, concern_id: int
) -> HttpResponse:
    concern, viewer = _concern(request, network_id, concern_id)
    try:
        concern_acknowledge(concern=concern, viewer=viewer, acknowledged_by=signed_in_user(request))
    except PermissionDenied as refused:
        raise Http404("No such page") from refused
    except ValidationError as error:
        return _refused(request, concern, viewer, error)
    messages.success(request, "You acknowledged this concern.")
    return redirect("concern_detail", network_id=network_id, concern_id=concern.pk)


@login_required
@require_POST
def concern_review_action(request: HttpRequest, network_id: int, concern_id: int) -> HttpResponse:
    concern, viewer = _concern(request, network_id, concern_id)
    try:
        concern_review_start(concern=concern, viewer=viewer, started_by=signed_in_user(request))
    except PermissionDenied as refused:
        raise Http404("No such page") from refused
    except ValidationError as error:
        return _refused(request, concern, viewer, error)
    messages.success(request, "This concern is now under review.")
    return redirect("concern_detail", network_id=network_id, concern_id=concern.pk)


@login_required
@require_POST
def concern_update_action(request: HttpRequest, network_id: int, concern_id: int) -> HttpResponse:
    concern, viewer = _concern(request, network_id, concern_id)
    form = ConcernUpdateForm(request.POST)
    done = page_post(
        request,
        form,
        lambda data: concern_update_add(
            concern=concern, viewer=viewer, added_by=signed_in_user(request), text=data["text"]
        ),
        success_url=reverse("concern_detail", args=[network_id, concern.pk]),
        message="Your update has been added.",
        refused="No such page",
    )
    if done is not None:
        return done
    return _detail(request, concern, viewer, form=form, update_form=form)


def _concern_action_page(
    request: HttpRequest,
    network_id: int,
    concern_id: int,
    *,
    allowed: Callable[[Concern, Viewer], bool],
    form_class: type[GovForm],
    act: Callable[[Concern, Viewer, dict[str, Any]], object],
    done: str,
    template: str,
) -> HttpResponse:
    """A page with one form that changes a concern: 404 for those who may not, the service's
    refusal named on the form, and back to the concern once it is done."""
    concern, viewer = _concern(request, network_id, concern_id)
    if not allowed(concern, viewer):
        raise Http404("No such page")
    form = form_class(posted(request))
    answered = page_post(
        request,
        form,
        lambda data: act(concern, viewer, data),
        success_url=reverse("concern_detail", args=[network_id, concern.pk]),
        message=done,
        refused="No such page",
    )
    if answered is not None:
        return answered
    return render(
        request,
        template,
        network_context(concern.network, viewer, concern=concern, form=form, section="concerns"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_close_page(request: HttpRequest, network_id: int, concern_id: int) -> HttpResponse:
    return _concern_action_page(
        request,
        network_id,
        concern_id,
        allowed=lambda concern, viewer: concern_may_close(concern=concern, viewer=viewer),
        form_class=ConcernCloseForm,
        act=lambda concern, viewer, data: concern_close(
            concern=concern,
            viewer=viewer,
            closed_by=signed_in_user(request),
            outcome=data["outcome"],
        ),
        done="This concern is closed.",
        template="frontend/concerns/close.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_withdraw_page(request: HttpRequest, network_id: int, concern_id: int) -> HttpResponse:
    return _concern_action_page(
        request,
        network_id,
        concern_id,
        allowed=lambda concern, viewer: concern_may_withdraw(concern=concern, viewer=viewer),
        form_class=ConcernWithdrawForm,
        act=lambda concern, viewer, data: concern_withdraw(
            concern=concern,
            viewer=viewer,
            withdrawn_by=signed_in_user(request),
            reason=data["reason"],
        ),
        done="You withdrew this concern.",
        template="frontend/concerns/withdraw.html",
    )


@login_required
def chronology_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Concerns, involvement and membership changes in time order, as the viewer may see
    them; filterable, and printable as it stands."""
    network, viewer = network_for_request(request, network_id)
    audit_view(request, network=network, summary="Viewed the chronology")
    return kept_page(
        request,
        "chronology",
        network=network,
        viewer=viewer,
        render=lambda: _chronology_render(request, network, viewer),
    )


def _chronology_render(request: HttpRequest, network: Network, viewer: Viewer) -> HttpResponse:
    form = ChronologyFilterForm(request.GET if request.GET else None)
    valid = form.is_bound and form.is_valid()
    kinds = form.chosen_kinds if valid else {"concerns", "involvement", "members"}
    date_from = form.cleaned_data.get("date_from") if valid else None
    date_to = form.cleaned_data.get("date_to") if valid else None

    def entries_render() -> tuple[int, SafeString]:
        entries = chronology_for_viewer(
            viewer=viewer,
            kinds=kinds,
            date_from=date_from,
            date_to=date_to,
            tag_classes={str(k): v for k, v in SEVERITY_TAGS.items()},
        )
        return len(entries), chronology_html(entries)

    # The same state of the network, read by the same audiences, shows the same list.
    count, entries_html = fragment_cached(
        "chronology",
        network=network,
        viewer=viewer,
        render=entries_render,
        vary=(sorted(kinds), date_from, date_to),
    )
    return render(
        request,
        "frontend/concerns/chronology.html",
        network_context(
            network,
            viewer,
            form=form,
            entry_count=count,
            entries_html=entries_html,
            kinds=kinds,
            section="chronology",
        ),
    )
