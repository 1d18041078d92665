"""How the care graph reads and is written in JSON. Serializers translate; services decide.

Field-level checks here only turn a value into its normal form (an NHS Number's 10 digits,
a postcode's 'SW1A 1AA') with the same functions the services use, so that a mistake is
reported beside the field that holds it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from agencies.models import Agency
from caregraph.identifiers import identifier_normalise, nhs_number_normalise
from caregraph.models import (
    AuditAction,
    AuditEvent,
    Identifier,
    IdentifierSystem,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberKind,
    Membership,
    Person,
    Visibility,
)
from caregraph.policy import HIDDEN_PERSON_LABEL
from caregraph.services.people import postcode_normalise


def _normalised(normalise: Any, value: str) -> str:
    try:
        return str(normalise(value))
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from error


# --- Small shared pieces --------------------------------------------------------------------


class UserSummarySerializer(serializers.Serializer[User]):
    """Who did something. Someone the reader may not know is involved (the context's
    `hidden_people`, from `caregraph.policy.people_hidden_from`) is shown without id, as
    "A professional"."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    display_name = serializers.CharField(source="__str__", read_only=True)

    def to_representation(self, instance: User) -> dict[str, Any]:
        if instance.pk in self.context.get("hidden_people", ()):
            return {"id": None, "display_name": HIDDEN_PERSON_LABEL}
        return dict(super().to_representation(instance))


class AgencySummarySerializer(serializers.Serializer[Agency]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PersonSummarySerializer(serializers.Serializer[Person]):
    id = serializers.IntegerField(read_only=True)
    given_name = serializers.CharField(read_only=True)
    family_name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)


# --- People ---------------------------------------------------------------------------------


class IdentifierSerializer(serializers.Serializer[Identifier]):
    id = serializers.IntegerField(read_only=True)
    system = serializers.ChoiceField(choices=IdentifierSystem.choices, read_only=True)
    value = serializers.CharField(read_only=True, help_text="Normalised: no spaces, upper case.")
    agency_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The agency of a case reference."
    )
    created_at = serializers.DateTimeField(read_only=True)


class IdentifierInputSerializer(serializers.Serializer[Any]):
    system = serializers.ChoiceField(choices=IdentifierSystem.choices)
    value = serializers.CharField(max_length=64)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["value"] = identifier_normalise(system=attrs["system"], value=attrs["value"])
        except DjangoValidationError as error:
            raise serializers.ValidationError({"value": error.messages}) from error
        return attrs


class PersonSerializer(serializers.Serializer[Person]):
    """A person as one network's members see them. Identifiers are for professionals only."""

    id = serializers.IntegerField(read_only=True)
    given_name = serializers.CharField(read_only=True)
    family_name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    postcode = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    nhs_number = serializers.SerializerMethodField(
        help_text="10 digits; null where there is none, or for family and friends."
    )
    identifiers = serializers.SerializerMethodField(
        help_text="Every identifier of the person; null for family and friends."
    )
    network_id = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nhs_number(self, person: Person) -> str | None:
        for identifier in self.context.get("identifiers") or []:
            if identifier.system == IdentifierSystem.NHS_NUMBER:
                return str(identifier.value)
        return None

    @extend_schema_field(IdentifierSerializer(many=True, allow_null=True))
    def get_identifiers(self, person: Person) -> list[dict[str, Any]] | None:
        identifiers = self.context.get("identifiers")
        if identifiers is None:
            return None
        return list(IdentifierSerializer(identifiers, many=True).data)

    def get_network_id(self, person: Person) -> int:
        return int(self.context["network_id"])


class PersonSearchResultSerializer(PersonSummarySerializer):
    network_id = serializers.IntegerField(source="network.pk", read_only=True)


class PersonSearchSerializer(serializers.Serializer[Any]):
    """The query of a search: an NHS Number, or a family name with a given name or birth date."""

    nhs_number = serializers.CharField(required=False, max_length=20)
    family_name = serializers.CharField(required=False, max_length=100)
    given_name = serializers.CharField(required=False, max_length=100)
    date_of_birth = serializers.DateField(required=False)

    def validate_nhs_number(self, value: str) -> str:
        return _normalised(nhs_number_normalise, value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("nhs_number") and not attrs.get("family_name"):
            raise serializers.ValidationError(
                "Search by nhs_number, or by family_name (with given_name or date_of_birth "
                "to narrow it down)"
            )
        return attrs


class PersonRegisterSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    address = serializers.CharField(required=False, allow_blank=True, max_length=500)
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    identifiers = IdentifierInputSerializer(many=True, required=False)

    def validate_postcode(self, value: str) -> str:
        return _normalised(postcode_normalise, value)

    def validate_nhs_number(self, value: str) -> str:
        return _normalised(nhs_number_normalise, value) if value.strip() else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        identifiers = list(attrs.get("identifiers", []))
        nhs_number = attrs.get("nhs_number", "")
        if nhs_number:
            others = [
                given["value"]
                for given in identifiers
                if given["system"] == IdentifierSystem.NHS_NUMBER
            ]
            if any(other != nhs_number for other in others):
                raise serializers.ValidationError(
                    {"nhs_number": ["This is not the NHS Number given in identifiers"]}
                )
            if not others:
                identifiers.append({"system": IdentifierSystem.NHS_NUMBER, "value": nhs_number})
        systems = [(given["system"]) for given in identifiers]
        if len(systems) != len(set(systems)):
            raise serializers.ValidationError(
                {"identifiers": ["Give each kind of identifier once"]}
            )
        attrs["identifiers"] = identifiers
        return attrs


class PersonUpdateSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100, required=False)
    family_name = serializers.CharField(max_length=100, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    address = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate_postcode(self, value: str) -> str:
        return _normalised(postcode_normalise, value)


class RegistrationExistsSerializer(serializers.Serializer[Any]):
    """A person with one of these identifiers is already known: ask to join their network."""

    status = serializers.ChoiceField(choices=["exists"])
    matched_on = serializers.ListField(
        child=serializers.ChoiceField(choices=IdentifierSystem.choices),
        help_text="The kinds of identifier that matched.",
    )
    join_request_url = serializers.CharField(
        help_text="POST here with a reason to ask the network's coordinator to let you join."
    )


# --- Networks and their members -------------------------------------------------------------


class NetworkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    person = PersonSummarySerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class NetworkRoleSerializer(serializers.Serializer[Any]):
    """What the signed-in user is, and may do, in this network."""

    membership_id = serializers.IntegerField(allow_null=True)
    member_kind = serializers.ChoiceField(choices=MemberKind.choices, allow_null=True)
    is_member = serializers.BooleanField()
    is_coordinator = serializers.BooleanField()
    is_professional = serializers.BooleanField()
    is_reviewing_lead = serializers.BooleanField(
        help_text="A safeguarding lead of an involved agency, reviewing without being a member."
    )
    may_manage_members = serializers.BooleanField()
    may_record = serializers.BooleanField()
    may_view_audit = serializers.BooleanField()


class NetworkOverviewSerializer(NetworkSerializer):
    member_count = serializers.IntegerField()
    open_involvement_count = serializers.IntegerField(
        help_text="Open agency involvements that you may see."
    )
    pending_join_request_count = serializers.IntegerField(
        allow_null=True, help_text="For coordinators; null for everyone else."
    )
    my_role = NetworkRoleSerializer()


class MemberSerializer(serializers.Serializer[Membership]):
    id = serializers.IntegerField(read_only=True, help_text="The membership's id.")
    user = UserSummarySerializer(read_only=True)
    kind = serializers.ChoiceField(choices=MemberKind.choices, read_only=True)
    relationship = serializers.CharField(read_only=True)
    agency = AgencySummarySerializer(read_only=True, allow_null=True)
    is_coordinator = serializers.BooleanField(read_only=True)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        read_only=True,
        help_text="Who may know this member is here.",
    )
    joined_at = serializers.DateTimeField(read_only=True)


class MembershipVisibilitySerializer(serializers.Serializer[Any]):
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, help_text="Who may know this member is here."
    )


class InvitationSerializer(serializers.Serializer[Invitation]):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    kind = serializers.ChoiceField(choices=MemberKind.choices, read_only=True)
    relationship = serializers.CharField(read_only=True)
    agency_id = serializers.IntegerField(read_only=True, allow_null=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    invited_by = UserSummarySerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class InvitationCreateSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    kind = serializers.ChoiceField(choices=MemberKind.choices)
    relationship = serializers.CharField(required=False, allow_blank=True, max_length=100)
    agency_id = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        source="agency",
        required=False,
        allow_null=True,
        help_text="For a professional: the agency they will act for.",
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        default=Visibility.NETWORK,
        help_text="For a professional: who may know they are here once they join.",
    )


class JoinRequestSerializer(serializers.Serializer[JoinRequest]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    requested_by = UserSummarySerializer(read_only=True)
    agency = AgencySummarySerializer(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        read_only=True,
        help_text="Who may know the requester is here once they join.",
    )
    status = serializers.ChoiceField(choices=JoinRequestStatus.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)


class JoinRequestCreateSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=2000, help_text="Why you need to join: the coordinator reads it."
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        default=Visibility.NETWORK,
        help_text="Who may know you are here once you join: professionals only, for a "
        "sensitive involvement.",
    )


class AuditEventSerializer(serializers.Serializer[AuditEvent]):
    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    actor = UserSummarySerializer(read_only=True, allow_null=True)
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True, help_text="page, api, and so on.")
    reason = serializers.CharField(read_only=True)
