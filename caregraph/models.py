"""The care graph: people, their identifiers, the network around each, its members, and the
audit trail of who looked at or changed what. Rules live in services and the policy module;
these classes only say what is stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Visibility(models.TextChoices):
    """Who may see a record that members share. Concerns default to PROFESSIONALS."""

    NETWORK = "network", "Everyone in the network, family too"
    PROFESSIONALS = "professionals", "Professionals only"
    AGENCY = "agency", "My agency only"
    RESTRICTED = "restricted", "Only me and safeguarding leads"


class Severity(models.TextChoices):
    """How serious a concern is; it also decides how its notifications are delivered."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Person(models.Model):
    """Someone at the centre of a network, or related to someone who is."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True, max_length=500)
    postcode = models.CharField(max_length=8, blank=True, help_text="Stored as 'SW1A 1AA'.")
    # Phonetic keys for demographic matching, written by the services with the names.
    given_name_key = models.CharField(max_length=8, blank=True)
    family_name_key = models.CharField(max_length=8, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="The person's own account, where they have one.",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_people"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["date_of_birth", "family_name_key"], name="person_dob_family_key"),
            models.Index(fields=["postcode", "family_name_key"], name="person_postcode_family_key"),
            models.Index(fields=["family_name_key", "given_name_key"], name="person_name_keys"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class IdentifierSystem(models.TextChoices):
    NHS_NUMBER = "nhs_number", "NHS Number"
    LA_CASE_REFERENCE = "la_case_reference", "Local authority case reference"
    UPN = "upn", "Unique Pupil Number"
    NI_NUMBER = "ni_number", "National Insurance number"


class Identifier(models.Model):
    """One (system, value) of a person, unique per system; case references per agency."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=32, choices=IdentifierSystem.choices)
    value = models.CharField(max_length=64, help_text="Normalised: no spaces, upper case.")
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agency whose case reference this is; empty for national identifiers.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "value"],
                condition=Q(agency__isnull=True),
                name="identifier_unique_per_system",
            ),
            models.UniqueConstraint(
                fields=["system", "agency", "value"],
                condition=Q(agency__isnull=False),
                name="identifier_unique_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.value}"


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    CARER = "carer", "Carer"
    OTHER = "other", "Other relative"


class PersonRelationship(models.Model):
    """`person` is `kind` of `relative`: stored both ways by the service, for the family view."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=RelationshipKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="relationship_unique")
        ]


class Network(models.Model):
    """The care network around one person."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="network")
    last_sequence = models.PositiveBigIntegerField(
        default=0, help_text="The sequence number of this network's latest event."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Network around {self.person}"


class MemberKind(models.TextChoices):
    PERSON = "person", "The person themself"
    FAMILY = "family", "Family"
    FRIEND = "friend", "Friend or neighbour"
    VOLUNTEER = "volunteer", "Volunteer"
    PROFESSIONAL = "professional", "Professional"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed"


class Membership(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships"
    )
    kind = models.CharField(max_length=16, choices=MemberKind.choices)
    relationship = models.CharField(
        max_length=100, blank=True, help_text="For example 'Mother' or 'Social worker'."
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="For professionals: the agency they act for here.",
    )
    is_coordinator = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    visibility = models.CharField(
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.NETWORK,
        help_text="Who may know this member is here: a sensitive involvement (police, a "
        "domestic-abuse service) can be known to the professionals only.",
    )
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=Q(status="active"),
                name="membership_one_active_per_user",
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="membership_user_status")]

    def __str__(self) -> str:
        return f"{self.user} in {self.network}"

    @property
    def is_professional(self) -> bool:
        return self.kind == MemberKind.PROFESSIONAL


class Invitation(models.Model):
    """An e-mailed invitation to join a network, valid until it expires or is used."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    kind = models.CharField(max_length=16, choices=MemberKind.choices)
    relationship = models.CharField(max_length=100, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation to {self.network}"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the coordinator"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class JoinRequest(models.Model):
    """A professional asking to join a network they found but may not yet see."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="join_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=2000)
    visibility = models.CharField(
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.NETWORK,
        help_text="Who may know the requester is in the network once they join.",
    )
    status = models.CharField(
        max_length=16, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "requested_by"],
                condition=Q(status="pending"),
                name="join_request_one_pending",
            )
        ]


class MatchStatus(models.TextChoices):
    OPEN = "open", "To review"
    MERGED = "merged", "Merged"
    DISMISSED = "dismissed", "Not the same person"


class MatchCandidate(models.Model):
    """Two people who may be one, found on demographics, waiting for a person to decide."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="match_pair_unique")
        ]


class Merge(models.Model):
    """`merged` was folded into `survivor`; `moved` lists what moved, so it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict)
    reason = models.TextField(max_length=2000)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    REMOVE = "remove", "Removed"
    MERGE = "merge", "Merged"
    UNMERGE = "unmerge", "Undid a merge"
    EXPORT = "export", "Exported"


class AuditEvent(models.Model):
    """One read or write of a person's record. Append-only: the database refuses changes.

    Its links are plain columns without foreign-key constraints, so that nothing elsewhere
    can cascade into changing or deleting an audit row.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    person = models.ForeignKey(
        Person, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    network = models.ForeignKey(
        Network, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    channel = models.CharField(max_length=16, default="page")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "-at"], name="audit_person_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]


class NetworkEventKind(models.TextChoices):
    CONCERN_RAISED = "concern.raised", "Concern raised"
    CONCERN_UPDATED = "concern.updated", "Concern updated"
    MEMBER_JOINED = "member.joined", "Member joined"
    MEMBER_LEFT = "member.left", "Member left"
    INVOLVEMENT_STARTED = "involvement.started", "Involvement started"
    INVOLVEMENT_CHANGED = "involvement.changed", "Involvement changed"
    EVENT_SCHEDULED = "event.scheduled", "Calendar event added"
    EVENT_CHANGED = "event.changed", "Calendar event changed"
    MEMBER_CHANGED = "member.changed", "Member changed"
    UPDATE_POSTED = "wellbeing.posted", "Wellbeing update posted"
    UPDATE_CHANGED = "wellbeing.changed", "Wellbeing update changed"
    UPDATE_REPLIED = "wellbeing.replied", "Reply to a wellbeing update"
    UPDATE_REACTED = "wellbeing.reacted", "Reaction to a wellbeing update"
    WHAT_MATTERS_CHANGED = "what_matters.changed", "What matters to the person changed"
    MESSAGE_POSTED = "message.posted", "Message sent"
    FILE_SHARED = "file.shared", "File shared"
    FILE_CHANGED = "file.changed", "Shared file changed"


# An event's audience is its record's visibility, or, for what is said to a few people by
# name (a message in a thread), exactly the users it is addressed to (`NetworkEvent.addressees`).
EVENT_ADDRESSED = "addressed"
EVENT_VISIBILITIES = [*Visibility.choices, (EVENT_ADDRESSED, "Only the people it is addressed to")]


class NetworkEvent(models.Model):
    """One change in a network, numbered in order within it.

    Appended in the same transaction as the change, so the log never misses one and never
    shows one that did not happen. Its audience (visibility, `created_by` as the author and
    `author_agency`) is the changed record's, and follows the record when its visibility
    changes later: the same policy decides who receives it live and who is replayed it. An
    event addressed to people by name (visibility `EVENT_ADDRESSED`) goes to its `addressees`
    and nobody else, whatever their role.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40, choices=NetworkEventKind.choices)
    visibility = models.CharField(
        max_length=16, choices=EVENT_VISIBILITIES, default=Visibility.NETWORK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    addressees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    record_type = models.CharField(
        max_length=40, blank=True, help_text="The kind of record the event is about."
    )
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "sequence"], name="network_event_sequence_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["network", "record_type", "record_id"], name="network_event_record"
            )
        ]
