from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from caregraph.models import Visibility


class AgencyKind(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    GP_PRACTICE = "gp_practice", "GP practice"
    NHS_TRUST = "nhs_trust", "NHS trust"
    SCHOOL = "school", "School"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary organisation"


class Agency(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    code = models.CharField(
        max_length=20, blank=True, help_text="ODS code where one applies, or another code."
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="agencies_agency_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    AGENCY_ADMIN = "agency_admin", "Agency admin"


class StaffMembership(models.Model):
    """A user working for an agency in one role. Staff must use two-factor sign-in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=32, choices=StaffRole.choices)
    job_title = models.CharField(max_length=150, blank=True)
    # Work contact, not personal: a coordinator's is shown to the family in their networks
    # (caregraph.policy.work_contact_may_be_shown); a user's own phone and e-mail never are.
    work_phone = PhoneNumberField(blank=True)
    work_email = models.EmailField(max_length=254, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="agencies_staff_user_agency_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.agency}"


class Involvement(models.Model):
    """An agency's involvement with the person at the centre of a network.

    "Who else is involved and how do I reach them": the service, the lead professional and
    how to contact them, from when to when. Open while it has no end date, or one ahead.
    """

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="involvements"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    service = models.CharField(max_length=200, help_text="For example 'Child in need team'.")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = models.CharField(max_length=150, blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PROFESSIONALS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-started_on",)

    def __str__(self) -> str:
        return f"{self.agency}: {self.service}"


class DataSharingAgreement(models.Model):
    """An agreement under which an agency shares records with the networks it is involved in."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(max_length=200)
    lawful_basis = models.CharField(max_length=200, help_text="For example UK GDPR 6(1)(e).")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    document_url = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.title
