"""Wellbeing updates and what matters to the person: the forms of their pages.

The photos field only gathers the files; whether each is a photo, and small enough, is the
service's to say (wellbeing.photos), so the pages and the API refuse the same files in the
same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from caregraph.models import Visibility
from frontend.forms.kit import GovForm, choice_field, text_field
from wellbeing.models import ReactionKind, WhatMattersTopic
from wellbeing.services import REPLY_TEXT_MAX, UPDATE_TEXT_MAX, WHAT_MATTERS_TEXT_MAX

VISIBILITY_WORDS = {
    Visibility.NETWORK: "Everyone in the network, family too",
    Visibility.PROFESSIONALS: "Only the professionals",
    Visibility.AGENCY: "Only my agency",
    Visibility.RESTRICTED: "Only me and safeguarding leads",
}


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files under one name; the service checks each."""

    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [file for file in files if file]


class WellbeingUpdateForm(GovForm):
    text = text_field(
        "How are they today?",
        required_message="Say how they are doing",
        max_length=UPDATE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = choice_field(
        "Who can see this update?",
        choices=Visibility.choices,
        required_message="Select who can see this update",
    )
    photos = PhotosField(
        label="Photos (optional)",
        required=False,
        help_text="Up to 4 photos. Where a photo was taken is removed before it is shared.",
    )

    def __init__(self, *args: Any, visibilities: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = [(v, VISIBILITY_WORDS[Visibility(v)]) for v in visibilities]
        visibility.initial = Visibility.NETWORK


class WellbeingReplyForm(GovForm):
    text = text_field(
        "Reply",
        required_message="Write a reply",
        max_length=REPLY_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WellbeingReactionForm(GovForm):
    kind = forms.ChoiceField(choices=ReactionKind.choices)
    on = forms.BooleanField(required=False)


class WellbeingVisibilityForm(GovForm):
    visibility = choice_field(
        "Who can see this update?",
        choices=Visibility.choices,
        required_message="Select who can see this update",
    )

    def __init__(self, *args: Any, visibilities: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = [(v, VISIBILITY_WORDS[Visibility(v)]) for v in visibilities]


class WhatMattersForm(GovForm):
    """The person's notes, one box a topic; an empty box removes the note."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for topic, label in WhatMattersTopic.choices:
            self.fields[topic] = text_field(
                f"{label} (optional)",
                max_length=WHAT_MATTERS_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
