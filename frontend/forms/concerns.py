"""Concerns: raising, filtering, updating, closing; the chronology and dashboard filters."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import Agency
from caregraph.models import (
    Visibility,
)
from concerns.dashboard import DEFAULT_PERIOD, PERIODS
from concerns.models import ConcernCategory, ConcernStatus, Severity
from concerns.services import DESCRIPTION_MAX as CONCERN_DESCRIPTION_MAX
from concerns.services import REASON_MAX as CONCERN_REASON_MAX
from concerns.services import UPDATE_TEXT_MAX as CONCERN_UPDATE_MAX
from frontend.forms.kit import (
    GovDateField,
    GovForm,
    choice_field,
    text_field,
    time_parse,
)

SEVERITY_HINTS = {
    Severity.LOW: "Worth knowing about; nothing needs doing now",
    Severity.MEDIUM: "Someone should look at this soon",
    Severity.HIGH: (
        "A professional is asked to acknowledge it; if nobody does, it goes to a safeguarding lead"
    ),
    Severity.URGENT: "Someone may be at risk of harm now. If anyone is in danger, call 999 first",
}


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
