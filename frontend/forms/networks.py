"""A person's network: joining, members' visibility, invitations, relatives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import User
from caregraph.models import (
    MemberKind,
    Network,
    RelationshipKind,
    Visibility,
)
from frontend.forms.kit import (
    GovForm,
    text_field,
    too_long_message,
)

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
            "max_length": too_long_message("Email address", 254),
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
