"""The notification settings form: one set of radios per severity of concern, and one for
new messages."""

from __future__ import annotations

from typing import Any

from django import forms

from caregraph.models import Severity
from frontend.forms.kit import GovForm
from notifications.models import MESSAGES_PREFERENCE, Delivery
from notifications.selectors import SEVERITIES_ALWAYS_SENT_TO_LEADS


class NotificationPreferencesForm(GovForm):
    """Fields are named by severity (`low`, ..., `urgent`), and `messages`, each a choice of
    `Delivery`."""

    def __init__(self, *args: Any, is_lead: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for severity, label in Severity.choices:
            help_text = ""
            if is_lead and severity in SEVERITIES_ALWAYS_SENT_TO_LEADS:
                help_text = "As a safeguarding lead, you always get urgent concerns straight away."
            self.fields[severity] = forms.ChoiceField(
                label=f"{label} concerns",
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                help_text=help_text,
                error_messages={
                    "required": f"Choose how you want to hear about {label.lower()} concerns",
                    "invalid_choice": f"Choose how you want to hear about {label.lower()} concerns",
                },
            )
        # Not required, so that a client that knows only the severities keeps working: left
        # out, the choice stays as it was.
        self.fields[MESSAGES_PREFERENCE] = forms.ChoiceField(
            label="New messages",
            required=False,
            choices=Delivery.choices,
            widget=forms.RadioSelect,
            help_text="E-mails say only that there is a new message, never what it says.",
            error_messages={
                "invalid_choice": "Choose how you want to hear about new messages",
            },
        )
