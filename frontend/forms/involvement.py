"""An agency's involvement in a network: recording, changing, closing it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from agencies.models import Agency
from caregraph.models import (
    Membership,
    Visibility,
)
from frontend.forms.kit import (
    GovDateField,
    GovForm,
    text_field,
    too_long_message,
)

PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class InvolvementForm(GovForm):
    """Recording or changing an agency's involvement; the agency is fixed once recorded."""

    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={"required": "Select the agency"},
    )
    service = text_field(
        "Service or team",
        required_message="Enter the service or team",
        max_length=200,
        help_text="For example, Child in need team",
    )
    lead_professional = forms.ChoiceField(
        label="Lead professional (optional)",
        required=False,
        help_text="A professional in this network who leads for the agency.",
    )
    contact_name = text_field("Contact name (optional)", max_length=150)
    contact_phone = text_field(
        "Contact telephone (optional)",
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "class": "govuk-input--width-20"}),
    )
    contact_email = forms.EmailField(
        label="Contact email (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": too_long_message("Contact email", 254),
        },
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    started_on = GovDateField(
        label="Start date",
        help_text="For example, 14 1 2026",
        error_messages={"required": "Enter the start date"},
    )
    ended_on = GovDateField(
        label="End date (optional)",
        required=False,
        help_text="Leave empty while the agency is still involved.",
    )
    visibility = forms.ChoiceField(
        label="Who can see this?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who can see this"},
    )

    def __init__(
        self,
        *args: Any,
        agencies: Any,
        professionals: Sequence[Membership],
        visibilities: Sequence[str],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["agency"]
        else:
            agency_field = self.fields["agency"]
            assert isinstance(agency_field, forms.ModelChoiceField)
            agency_field.queryset = agencies
        self.professionals = {str(member.user_id): member.user for member in professionals}
        lead = self.fields["lead_professional"]
        assert isinstance(lead, forms.ChoiceField)
        lead.choices = [("", "No lead professional yet")] + [
            (str(member.user_id), _member_label(member)) for member in professionals
        ]
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = [
            (value, label) for value, label in Visibility.choices if value in visibilities
        ]
        if Visibility.PROFESSIONALS in visibilities:
            visibility.initial = visibility.initial or Visibility.PROFESSIONALS
        else:
            visibility.initial = visibility.initial or Visibility.NETWORK

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError("Enter a telephone number, like 01632 960 001")
        return phone

    def clean_lead_professional(self) -> User | None:
        chosen = self.cleaned_data["lead_professional"]
        return self.professionals.get(chosen) if chosen else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The end date must be the same as or after the start date")
        return cleaned


def _member_label(member: Membership) -> str:
    agency = f", {member.agency.name}" if member.agency_id and member.agency else ""
    return f"{member.user}{agency}"


class InvolvementCloseForm(GovForm):
    ended_on = GovDateField(
        label="End date",
        help_text="The day the agency stopped being involved, for example 14 1 2026",
        error_messages={"required": "Enter the end date"},
    )
