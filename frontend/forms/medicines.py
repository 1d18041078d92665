"""The medicines pages' forms: a medicine, and who may change the list."""

from __future__ import annotations

from typing import Any

from django import forms

from frontend.forms.kit import GovForm, text_field
from medicines.services import TEXT_LIMITS


class MedicineForm(GovForm):
    name = text_field(
        "Medicine",
        required_message="Enter the name of the medicine",
        max_length=TEXT_LIMITS["name"],
        help_text="For example, Metformin 500 mg tablets",
    )
    dose = text_field(
        "Dose (optional)", max_length=TEXT_LIMITS["dose"], help_text="For example, 1 tablet"
    )
    schedule = text_field(
        "When it is taken (optional)",
        max_length=TEXT_LIMITS["schedule"],
        help_text="For example, with breakfast and evening meal",
    )
    prescribed_by = text_field(
        "Prescribed by (optional)",
        max_length=TEXT_LIMITS["prescribed_by"],
        help_text="For example, Dr Patel, Riverside Medical Centre",
    )
    pickup = text_field(
        "Where and when it is picked up (optional)",
        max_length=TEXT_LIMITS["pickup"],
        help_text="For example, Boots on the High Street, every other Friday after 2pm",
    )
    notes = text_field(
        "Notes (optional)",
        max_length=TEXT_LIMITS["notes"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MedicineEditorsForm(GovForm):
    """Ticks for the members who may change the list."""

    editors = forms.TypedMultipleChoiceField(
        label="Who else can change the medicines?",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["editors"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = choices
