"""Registering a person, asking to join a record that already exists, and finding a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caregraph.models import AuditAction, IdentifierSystem, Network
from caregraph.policy import user_agency_list, user_is_agency_staff, viewer_for
from caregraph.selectors import people_search
from caregraph.services.audit import audit_record
from caregraph.services.networks import join_request_create
from caregraph.services.people import IdentifierInput, person_register
from frontend.forms.kit import form_errors_from_service
from frontend.forms.networks import JoinRequestForm
from frontend.forms.people import PersonRegisterForm, PersonSearchForm
from frontend.views.common import posted, signed_in_user

# The network a registration found, kept in the session rather than the URL, so that the
# "record exists" page cannot be pointed at other networks to learn whether they exist.
EXISTING_NETWORK_KEY = "caregraph_register_existing_network"


@login_required
@require_http_methods(["GET", "POST"])
def person_register_page(request: HttpRequest) -> HttpResponse:
    """Agency staff register a person and start their network; a known identifier does not."""
    user = signed_in_user(request)
    agencies = user_agency_list(user=user)
    if not agencies:
        raise Http404("No such page")
    form = PersonRegisterForm(posted(request), agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = form.registering_agency
        identifiers = [
            IdentifierInput(system=system, value=data[name], agency=agency)
            for system, name in PersonRegisterForm.SERVICE_FIELDS.items()
            if data[name]
        ]
        try:
            registration = person_register(
                registered_by=user,
                agency=agency,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                postcode=data["postcode"],
                address=data["address"],
                identifiers=identifiers,
            )
        except ValidationError as error:
            form_errors_from_service(form, error, fields=PersonRegisterForm.SERVICE_FIELDS)
        else:
            if not registration.created:
                request.session[EXISTING_NETWORK_KEY] = registration.network.pk
                return redirect("person_register_existing")
            messages.success(
                request, f"{registration.person.full_name} is registered and their network started."
            )
            return redirect("network_overview", network_id=registration.network.pk)
    return render(request, "frontend/people/register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def person_register_existing(request: HttpRequest) -> HttpResponse:
    """ "A record already exists": says nothing of it, and offers to ask to join its network."""
    user = signed_in_user(request)
    network_id = request.session.get(EXISTING_NETWORK_KEY)
    network = Network.objects.filter(pk=network_id).first() if network_id else None
    if network is None or not user_is_agency_staff(user=user):
        raise Http404("No such page")
    if viewer_for(user=user, network=network) is not None:
        # They may see it already: nothing to hide, and nothing to ask.
        del request.session[EXISTING_NETWORK_KEY]
        messages.success(request, "This person is already registered, in a network you are in.")
        return redirect("network_overview", network_id=network.pk)
    form = JoinRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            join_request_create(
                network=network,
                requested_by=user,
                reason=form.cleaned_data["reason"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as error:
            form_errors_from_service(form, error)
        else:
            del request.session[EXISTING_NETWORK_KEY]
            messages.success(
                request,
                "Your request to join has been sent to the network's coordinator. "
                "You will see the record here once they approve it.",
            )
            return redirect("home")
    return render(request, "frontend/people/existing.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def person_search_page(request: HttpRequest) -> HttpResponse:
    """Find a person among the networks you may see.

    The search is posted, not put in the address, so that NHS Numbers and names stay out of
    browser history and server logs. The audit trail says how, never what, was searched for.
    """
    user = signed_in_user(request)
    form = PersonSearchForm(posted(request))
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["nhs_number"]:
            found = people_search(user=user, nhs_number=data["nhs_number"])
        else:
            found = people_search(
                user=user,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
            )
        results = list(found[:50])
        summary = f"Searched by {form.searched_by}"
        for person in results:
            audit_record(
                actor=user,
                action=AuditAction.SEARCH,
                summary=f"{summary}: found this record",
                object_type="person",
                object_id=person.pk,
                person=person,
                network=person.network,
                request=request,
            )
        if not results:
            audit_record(
                actor=user,
                action=AuditAction.SEARCH,
                summary=f"{summary}: found nobody",
                object_type="person",
                request=request,
            )
    return render(
        request,
        "frontend/people/search.html",
        {"form": form, "results": results, "nhs_system": IdentifierSystem.NHS_NUMBER},
    )
