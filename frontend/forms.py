"""The pages' forms: GOV.UK wording that names the field, and the GOV.UK date input.

Forms check what a person typed and say plainly what is wrong with it; the rules about
people, networks and records stay in the services, whose errors the views put beside the
field they are about (`form_errors_from_service`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from caregraph.identifiers import identifier_normalise
from caregraph.models import (
    IdentifierSystem,
    MemberKind,
    Membership,
    Network,
    RelationshipKind,
    Severity,
    Visibility,
)
from caregraph.services.people import postcode_normalise
from concerns.dashboard import DEFAULT_PERIOD, PERIODS
from concerns.models import ConcernCategory, ConcernStatus
from concerns.services import DESCRIPTION_MAX as CONCERN_DESCRIPTION_MAX
from concerns.services import REASON_MAX as CONCERN_REASON_MAX
from concerns.services import UPDATE_TEXT_MAX as CONCERN_UPDATE_MAX

DATE_PARTS = ("day", "month", "year")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
# "14:30", "9:05", "2pm", "2:30pm", "2.30 pm"
TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$", re.I)


class GovDateInput(forms.MultiWidget):
    """Day, month and year boxes, submitted as `<name>_day`, `<name>_month`, `<name>_year`."""

    def __init__(self) -> None:
        super().__init__(widgets={part: forms.TextInput() for part in DATE_PARTS})

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class GovDateField(forms.Field):
    """A date typed as day, month and year; each error says which part is wrong.

    The error's `parts` param names the boxes to highlight, as the GOV.UK date input asks.
    """

    widget = GovDateInput

    def __init__(self, *, past: bool = False, **kwargs: Any) -> None:
        self.past = past
        super().__init__(**kwargs)

    def _error(self, message: str, code: str, parts: Sequence[str] = DATE_PARTS) -> ValidationError:
        return ValidationError(message, code=code, params={"parts": list(parts)})

    def clean(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        given = [str(part or "").strip() for part in value or []]
        typed = dict(zip(DATE_PARTS, given, strict=False))
        missing = [part for part in DATE_PARTS if not typed.get(part)]
        label = str(self.label)
        if len(missing) == len(DATE_PARTS):
            if self.required:
                raise self._error(str(self.error_messages["required"]), "required")
            return None
        if missing:
            named = " and ".join(missing)
            raise self._error(f"{label} must include a {named}", "incomplete", missing)
        not_numbers = [part for part in DATE_PARTS if not typed[part].isdigit()]
        if not_numbers:
            raise self._error(f"{label} must be a real date", "invalid", not_numbers)
        if len(typed["year"]) != 4:
            raise self._error("Year must include 4 numbers", "year", ["year"])
        try:
            date = datetime.date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError as error:
            raise self._error(f"{label} must be a real date", "invalid") from error
        if self.past and date > timezone.localdate():
            raise self._error(f"{label} must be today or in the past", "future")
        return date


class GovBoundField(BoundField):
    """Points the error summary's link at the box that is wrong, as GOV.UK asks."""

    @property
    def id_for_label(self) -> str:
        widget = self.field.widget
        if isinstance(widget, GovDateInput):
            return f"{self.auto_id}_{self.date_error_parts[0] if self.errors else 'day'}"
        if isinstance(widget, forms.RadioSelect):
            return f"{self.auto_id}_0"
        return super().id_for_label

    @property
    def date_error_parts(self) -> list[str]:
        parts: set[str] = set()
        for error in self.errors.as_data():
            parts.update((error.params or {}).get("parts", DATE_PARTS))
        return [part for part in DATE_PARTS if part in parts]

    @property
    def date_parts(self) -> list[dict[str, str]]:
        """Each box of a date input: its part, id, name, label, what was typed, and error."""
        value = self.value()
        if isinstance(value, datetime.date):
            typed = [str(value.day), str(value.month), str(value.year)]
        elif isinstance(value, list | tuple):
            typed = [str(part or "") for part in value]
        else:
            typed = ["", "", ""]
        errors = self.date_error_parts
        return [
            {
                "part": part,
                "id": f"{self.auto_id}_{part}",
                "name": f"{self.html_name}_{part}",
                "label": part.capitalize(),
                "value": typed[index] if index < len(typed) else "",
                "width": "4" if part == "year" else "2",
                "error": "true" if part in errors else "",
            }
            for index, part in enumerate(DATE_PARTS)
        ]


class GovForm(forms.Form):
    bound_field_class = GovBoundField
    label_suffix = ""


def form_errors_from_service(
    form: forms.Form, error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Puts a service's errors beside the fields they name, or at the top of the form."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        name = fields.get(key, key)
        form.add_error(name if name in form.fields else None, messages)


def _too_long(label: str, max_length: int) -> str:
    name = label.removesuffix(" (optional)").rstrip("?")
    return f"{name} must be {max_length} characters or fewer"


def text_field(label: str, *, required_message: str = "", **kwargs: Any) -> forms.CharField:
    """A text field whose errors say which field is wrong and what to do, GOV.UK style."""
    error_messages = {"required": required_message} if required_message else {}
    if "max_length" in kwargs:
        error_messages["max_length"] = _too_long(label, kwargs["max_length"])
    return forms.CharField(
        label=label, required=bool(required_message), error_messages=error_messages, **kwargs
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


MEMBERSHIP_VISIBILITY_HELP = (
    "Choose professionals only if family or friends knowing you are involved could put "
    "someone at risk, as with police or a domestic-abuse service."
)


class JoinRequestForm(GovForm):
    reason = text_field(
        "Why do you need to join this network?",
        required_message="Say why you need to join this network",
        max_length=2000,
        help_text="The network's coordinator reads this before deciding.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(
        label="Once you join, who may know you are in this network?",
        help_text=MEMBERSHIP_VISIBILITY_HELP,
        choices=Visibility.choices,
        initial=Visibility.NETWORK,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.NETWORK


class MembershipVisibilityForm(GovForm):
    visibility = forms.ChoiceField(
        label="Who may know they are in this network?",
        help_text=MEMBERSHIP_VISIBILITY_HELP,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who may know they are in this network"},
    )

    def __init__(self, *args: Any, visibilities: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["visibility"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, label) for v, label in Visibility.choices if v in visibilities]


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


INVITABLE_KINDS = [
    (MemberKind.FAMILY.value, MemberKind.FAMILY.label),
    (MemberKind.FRIEND.value, MemberKind.FRIEND.label),
    (MemberKind.VOLUNTEER.value, MemberKind.VOLUNTEER.label),
    (MemberKind.PROFESSIONAL.value, MemberKind.PROFESSIONAL.label),
    (MemberKind.PERSON.value, MemberKind.PERSON.label),
]


class InvitationCreateForm(GovForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will email them a link. The email does not say who the network is for.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": _too_long("Email address", 254),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label="How are they part of this person's life?",
        choices=INVITABLE_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they are part of this person's life"},
    )
    relationship = text_field(
        "Relationship (optional)",
        max_length=100,
        help_text="For example, Mother, Neighbour or School nurse",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MembershipRemoveForm(GovForm):
    reason = text_field(
        "Why are you removing them? (optional)",
        max_length=2000,
        help_text="This is kept in the record's audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationAccountForm(GovForm):
    """A new account for someone whose e-mailed invitation link proves their address."""

    display_name = text_field(
        "Your name",
        required_message="Enter your name",
        max_length=150,
        help_text="Other members of the network see this name.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 12 characters. A few unrelated words make a good password.",
        error_messages={"required": "Enter a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        error_messages={"required": "Enter the password again"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            would_be = User(email=self.email, display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(first, would_be)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


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
            "max_length": _too_long("Contact email", 254),
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


class RelativeLinkForm(GovForm):
    relative_network = forms.ChoiceField(
        label="Relative",
        help_text="You can link someone whose network you can see.",
        error_messages={"required": "Select the relative"},
    )
    kind = forms.ChoiceField(
        label="How are they related to this person?",
        choices=RelationshipKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they are related"},
    )

    def __init__(self, *args: Any, networks: Sequence[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["relative_network"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a person")] + [
            (str(network.pk), _person_label(network)) for network in networks
        ]


def _person_label(network: Network) -> str:
    person = network.person
    born = ""
    if person.date_of_birth:
        born = f", born {person.date_of_birth.day} {person.date_of_birth:%B %Y}"
    return f"{person.full_name}{born}"


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


# --- Concerns ------------------------------------------------------------------------------

SEVERITY_HINTS = {
    Severity.LOW: "Worth knowing about; nothing needs doing now",
    Severity.MEDIUM: "Someone should look at this soon",
    Severity.HIGH: (
        "A professional is asked to acknowledge it; if nobody does, it goes to a safeguarding lead"
    ),
    Severity.URGENT: "Someone may be at risk of harm now. If anyone is in danger, call 999 first",
}


def time_parse(typed: str) -> datetime.time | None:
    """A time of day typed as "14:30", "9:05", "2pm" or "2:30pm"; None if it is not one."""
    match = TIME.match(typed.strip().replace(" ", ""))
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def choice_field(label: str, *, required_message: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        widget=forms.RadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": required_message,
        },
        **kwargs,
    )


class ConcernRaiseForm(GovForm):
    """Raising a concern. Who may share it with whom is the viewer's (`visibilities`)."""

    category = choice_field(
        "What is the concern about?",
        choices=ConcernCategory.choices,
        required_message="Select what the concern is about",
    )
    severity = choice_field(
        "How serious is it?",
        choices=Severity.choices,
        required_message="Select how serious it is",
    )
    description = text_field(
        "What happened?",
        required_message="Describe what happened",
        max_length=CONCERN_DESCRIPTION_MAX,
        help_text=(
            "Say what you saw or were told, who told you, and what has been done since. "
            "Stick to facts."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    happened_on = GovDateField(
        label="When did it happen?",
        past=True,
        help_text="If it went on over time, give the date it last happened. For example, 14 1 2026",
        error_messages={"required": "Enter the date it happened"},
    )
    happened_time = text_field(
        "Time (optional)",
        max_length=10,
        help_text="For example, 14:30 or 2:30pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    visibility = choice_field(
        "Who can see this concern?",
        required_message="Select who can see this concern",
    )

    def __init__(self, *args: Any, visibilities: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = [
            (value, label) for value, label in Visibility.choices if value in visibilities
        ]
        visibility.initial = Visibility.PROFESSIONALS
        # Family and friends share a concern with the professionals only: nothing to choose.
        self.visibility_fixed = len(visibilities) == 1
        if self.visibility_fixed:
            visibility.widget = forms.HiddenInput()
            visibility.initial = visibilities[0]

    @property
    def severity_options(self) -> list[dict[str, Any]]:
        """The severity radios with a hint each, which the shared field include cannot show."""
        bound = self["severity"]
        return [
            {"radio": radio, "hint": SEVERITY_HINTS.get(radio.data["value"], "")} for radio in bound
        ]

    def clean_happened_time(self) -> datetime.time | None:
        typed = self.cleaned_data["happened_time"].strip()
        if not typed:
            return None
        parsed = time_parse(typed)
        if parsed is None:
            raise ValidationError("Enter the time like 14:30 or 2:30pm")
        return parsed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("happened_on"), cleaned.get("happened_time")
        cleaned["happened_at"] = None
        if day is not None:
            # A concern whose time is not known is stored at the start of its day.
            happened_at = timezone.make_aware(
                datetime.datetime.combine(day, time or datetime.time(0, 0))
            )
            if happened_at > timezone.now():
                self.add_error("happened_time", "The time it happened must be in the past")
            cleaned["happened_at"] = happened_at
        return cleaned

    # The service names the moment; the page asks for its day and time separately.
    SERVICE_FIELDS = {"happened_at": "happened_on"}


def _any(label: str, choices: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *((str(value), str(text)) for value, text in choices)]


class ConcernFilterForm(GovForm):
    """The concerns list's filters; a value that is not one of the choices is ignored."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=_any("Any status", ConcernStatus.choices)
    )
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=_any("Any severity", Severity.choices)
    )
    category = forms.ChoiceField(
        label="About", required=False, choices=_any("Anything", ConcernCategory.choices)
    )

    @property
    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class ConcernUpdateForm(GovForm):
    prefix = "update"

    text = text_field(
        "Add an update",
        required_message="Write what has happened since",
        max_length=CONCERN_UPDATE_MAX,
        help_text="Everyone who can see this concern can read it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ConcernCloseForm(GovForm):
    outcome = text_field(
        "What was the outcome?",
        required_message="Say what the outcome was",
        max_length=CONCERN_UPDATE_MAX,
        help_text="For example, what was found and what support is now in place.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ConcernWithdrawForm(GovForm):
    reason = text_field(
        "Why are you withdrawing this concern?",
        required_message="Say why you are withdrawing it",
        max_length=CONCERN_REASON_MAX,
        help_text="This is kept in the concern's history and the record's audit trail.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


CHRONOLOGY_KINDS = [
    ("concerns", "Concerns"),
    ("involvement", "Agency involvement starting and ending"),
    ("members", "People joining and leaving the network"),
]


class ChronologyFilterForm(GovForm):
    kinds = forms.MultipleChoiceField(
        label="Show",
        required=False,
        choices=CHRONOLOGY_KINDS,
        widget=forms.CheckboxSelectMultiple,
    )
    date_from = GovDateField(label="From", required=False, help_text="For example, 1 9 2025")
    date_to = GovDateField(label="To", required=False, help_text="For example, 31 1 2026")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    @property
    def chosen_kinds(self) -> set[str]:
        """The kinds to show: those ticked, or all of them when none is."""
        kinds = set(self.cleaned_data.get("kinds") or []) if self.is_bound else set()
        return kinds or {value for value, _label in CHRONOLOGY_KINDS}


DASHBOARD_PERIODS = [(period.key, period.label) for period in PERIODS.values()]


class DashboardFilterForm(GovForm):
    team = forms.ChoiceField(
        label="Team",
        required=False,
        help_text="Networks where this agency or team is involved",
        error_messages={"invalid_choice": "Select a team from the list"},
    )
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=DASHBOARD_PERIODS,
        initial=DEFAULT_PERIOD,
        error_messages={"invalid_choice": "Select a period from the list"},
    )

    def __init__(self, *args: Any, teams: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ChoiceField)
        team.choices = [("", "All the networks you review")] + [
            (str(agency.pk), agency.name) for agency in teams
        ]
        self.teams = {str(agency.pk): agency for agency in teams}

    @property
    def team_chosen(self) -> Agency | None:
        if not self.is_bound or not self.is_valid():
            return None
        return self.teams.get(self.cleaned_data["team"])

    @property
    def period_chosen(self) -> str:
        if not self.is_bound or not self.is_valid():
            return DEFAULT_PERIOD
        return self.cleaned_data["period"] or DEFAULT_PERIOD
