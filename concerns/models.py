"""Concern flags about the person at the centre of a network, and what became of them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from caregraph.models import Severity, Visibility


class ConcernCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    EXPLOITATION = "exploitation", "Exploitation"
    SELF_NEGLECT = "self_neglect", "Self-neglect"
    FINANCIAL = "financial", "Financial abuse"
    MENTAL_HEALTH = "mental_health", "Mental health"
    MISSING = "missing", "Missing"
    OTHER = "other", "Other"


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.URGENT: 3}


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNDER_REVIEW = "under_review", "Under review"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Concern(models.Model):
    """A concern raised about the person at the centre of a network."""

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="concerns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_raised"
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=20, choices=ConcernCategory.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.TextField(max_length=5000, help_text="What happened.")
    happened_at = models.DateTimeField(null=True, blank=True, help_text="When it happened.")
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PROFESSIONALS
    )
    status = models.CharField(
        max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, max_length=5000)
    withdrawn_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        indexes = [
            models.Index(fields=["network", "raised_at"], name="concern_network_raised"),
            models.Index(fields=["status", "severity", "raised_at"], name="concern_unacknowledged"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.get_category_display().lower()} concern"

    @property
    def is_open(self) -> bool:
        return self.status not in (ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN)


class ConcernUpdateKind(models.TextChoices):
    NOTE = "note", "Update"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNDER_REVIEW = "under_review", "Under review"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConcernUpdate(models.Model):
    """One entry in a concern's history.

    It has a visibility of its own, within the concern's: a note or an outcome that a
    professional adds is seen by those who may see the concern *and* the note, so that the
    author exception that shows a family member the concern they raised does not show them
    what professionals wrote under it. Changes of status are seen by everyone who may see
    the concern.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=16, choices=ConcernUpdateKind.choices)
    text = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class AlertRule(models.TextChoices):
    AGENCIES_IN_WINDOW = "agencies_in_window", "Concerns from several agencies"
    LOW_CONCERNS_ACCUMULATE = "low_concerns_accumulate", "Low concerns adding up"


class CumulativeAlert(models.Model):
    """A pattern across agencies that no single concern shows, for the safeguarding leads."""

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="cumulative_alerts"
    )
    rule = models.CharField(max_length=32, choices=AlertRule.choices)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    concerns = models.ManyToManyField(Concern, related_name="alerts")
    summary = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            # One open alert per rule per network: new concerns join it rather than repeat it.
            models.UniqueConstraint(
                fields=["network", "rule"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="cumulative_alert_one_open_per_rule",
            )
        ]
