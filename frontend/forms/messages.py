"""The forms of messages: starting a thread, and replying in one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from frontend.forms.kit import GovForm, choice_field, text_field
from messaging.models import MESSAGE_MAX, SUBJECT_MAX, ThreadAudience


def _message_field() -> forms.CharField:
    return text_field(
        "Message",
        required_message="Enter your message",
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ThreadStartForm(GovForm):
    """A new thread: its subject, whom it is for, and its first message."""

    subject = text_field("Subject", required_message="Enter a subject", max_length=SUBJECT_MAX)
    audience = choice_field(
        "Who is it for?",
        choices=ThreadAudience.choices,
        required_message="Choose who the message is for",
        initial=ThreadAudience.NETWORK,
    )
    participants = forms.MultipleChoiceField(
        label="Who do you want to send it to?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only they will see the thread. Choose at least one person.",
        error_messages={"invalid_choice": "Choose people from the list"},
    )
    text = _message_field()

    def __init__(self, *args: Any, people: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(user_id), label) for user_id, label in people]


class ReplyForm(GovForm):
    text = _message_field()
