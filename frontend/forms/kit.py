"""The pages' form kit: GOV.UK wording that names the field, and the GOV.UK date input.

Forms check what a person typed and say plainly what is wrong with it; the rules about
people, networks and records stay in the services, whose errors the views put beside the
field they are about (`form_errors_from_service`). The forms of each domain are in the
modules beside this one.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

DATE_PARTS = ("day", "month", "year")
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


def too_long_message(label: str, max_length: int) -> str:
    name = label.removesuffix(" (optional)").rstrip("?")
    return f"{name} must be {max_length} characters or fewer"


def text_field(label: str, *, required_message: str = "", **kwargs: Any) -> forms.CharField:
    """A text field whose errors say which field is wrong and what to do, GOV.UK style."""
    error_messages = {"required": required_message} if required_message else {}
    if "max_length" in kwargs:
        error_messages["max_length"] = too_long_message(label, kwargs["max_length"])
    return forms.CharField(
        label=label, required=bool(required_message), error_messages=error_messages, **kwargs
    )


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
