from django.conf import settings
from django.db import models


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
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="agencies_staff_user_agency_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.agency}"
