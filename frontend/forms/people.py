"""Registering and finding a person, and merging two records of one person."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from agencies.models import Agency
from caregraph.identifiers import identifier_normalise
from caregraph.models import (
    IdentifierSystem,
)
from caregraph.services.people import postcode_normalise
from frontend.forms.kit import (
    DATE_PARTS,
    GovDateField,
    GovForm,
    text_field,
)


def _identifier(system: IdentifierSystem, value: str) -> str:
    value = (value or "").strip()
    return identifier_normalise(system=system, value=value) if value else ""


class PersonRegisterForm(GovForm):
    given_name = text_field(
        "Given name",
        required_message="Enter the given name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    family_name = text_field(
        "Family name",
        required_message="Enter the family name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = GovDateField(
        label="Date of birth",
        past=True,
        help_text="For example, 27 3 2016",
        error_messages={"required": "Enter the date of birth"},
    )
    postcode = text_field(
        "Postcode (optional)",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )
    address = text_field(
        "Address (optional)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    nhs_number = text_field(
        "NHS Number (optional)",
        help_text="10 digits, for example 485 777 3456",
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    upn = text_field(
        "Unique Pupil Number (optional)",
        help_text="13 characters, for example A123456789012",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
    )
    ni_number = text_field(
        "National Insurance number (optional)",
        help_text="For example, QQ 12 34 56 C",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )
    case_reference = text_field(
        "Your agency's case reference (optional)",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
    )
    agency = forms.ModelChoiceField(
        label="Which agency are you registering for?",
        queryset=Agency.objects.none(),
        empty_label=None,
        error_messages={"required": "Select the agency you are registering for"},
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(pk__in=[agency.pk for agency in agencies])
        agency_field.initial = agencies[0].pk if agencies else None
        # Someone working for one agency registers for it, without being asked.
        self.only_agency = agencies[0] if len(agencies) == 1 else None
        if self.only_agency is not None:
            del self.fields["agency"]

    @property
    def registering_agency(self) -> Agency:
        return self.only_agency or self.cleaned_data["agency"]

    def clean_postcode(self) -> str:
        return postcode_normalise(self.cleaned_data["postcode"])

    def clean_nhs_number(self) -> str:
        return _identifier(IdentifierSystem.NHS_NUMBER, self.cleaned_data["nhs_number"])

    def clean_upn(self) -> str:
        return _identifier(IdentifierSystem.UPN, self.cleaned_data["upn"])

    def clean_ni_number(self) -> str:
        return _identifier(IdentifierSystem.NI_NUMBER, self.cleaned_data["ni_number"])

    def clean_case_reference(self) -> str:
        return _identifier(IdentifierSystem.LA_CASE_REFERENCE, self.cleaned_data["case_reference"])

    # The service's errors are keyed by identifier system; these are the fields they belong to.
    SERVICE_FIELDS = {
        IdentifierSystem.NHS_NUMBER.value: "nhs_number",
        IdentifierSystem.UPN.value: "upn",
        IdentifierSystem.NI_NUMBER.value: "ni_number",
        IdentifierSystem.LA_CASE_REFERENCE.value: "case_reference",
    }


class PersonSearchForm(GovForm):
    """Either an NHS Number, or family name, given name and date of birth together."""

    nhs_number = text_field(
        "NHS Number",
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    family_name = text_field(
        "Family name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    given_name = text_field(
        "Given name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = GovDateField(
        label="Date of birth",
        required=False,
        past=True,
        help_text="For example, 27 3 2016",
    )

    def clean_nhs_number(self) -> str:
        return _identifier(IdentifierSystem.NHS_NUMBER, self.cleaned_data["nhs_number"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or cleaned.get("nhs_number"):
            return cleaned
        named = {
            "family_name": "Enter the family name",
            "given_name": "Enter the given name",
            "date_of_birth": "Enter the date of birth",
        }
        if not any(cleaned.get(name) for name in named):
            self.add_error(
                "nhs_number",
                "Enter an NHS Number, or a family name, given name and date of birth",
            )
            return cleaned
        for name, message in named.items():
            if not cleaned.get(name):
                self.add_error(
                    name,
                    ValidationError(message, code="required", params={"parts": list(DATE_PARTS)}),
                )
        return cleaned

    @property
    def searched_by(self) -> str:
        return "NHS Number" if self.cleaned_data.get("nhs_number") else "name and date of birth"


class MergeForm(GovForm):
    survivor = forms.ChoiceField(
        label="Which record should be kept?",
        widget=forms.RadioSelect,
        help_text="The other record's details, members and involvement move into it.",
        error_messages={"required": "Select which record to keep"},
    )
    reason = text_field(
        "Why are these the same person?",
        required_message="Say why these records are the same person",
        max_length=2000,
        help_text="This is kept in both records' audit trails.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["survivor"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(choices)


class MergeUndoForm(GovForm):
    reason = text_field(
        "Why are you undoing this merge?",
        required_message="Say why you are undoing this merge",
        max_length=2000,
        help_text="This is kept in both records' audit trails.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
