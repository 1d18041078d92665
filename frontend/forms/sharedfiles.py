"""The shared files pages' forms. They check what a person typed; what a file may be (its
type, found from its content, and its size) is the service's rule, whose errors the views
put beside the field they name (`form_errors_from_service`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from caregraph.models import Visibility
from frontend.forms.kit import GovForm, choice_field, text_field
from sharedfiles.services import TITLE_MAX


def visibility_choices(visibilities: Sequence[str]) -> list[tuple[str, str]]:
    return [(value, Visibility(value).label) for value in visibilities]


class _VisibilityForm(GovForm):
    visibility = choice_field(
        "Who can see this file?", required_message="Select who can see this file"
    )

    def __init__(self, *args: Any, visibilities: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["visibility"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = visibility_choices(visibilities)
        field.initial = Visibility.NETWORK if Visibility.NETWORK in visibilities else None
        self.visibility_fixed = len(visibilities) == 1
        if self.visibility_fixed:
            # One choice: nothing to ask, and nothing to get wrong if the field is missing.
            field.widget = forms.HiddenInput()
            field.initial = visibilities[0]
            field.required = False
        self.visibilities = list(visibilities)

    def clean_visibility(self) -> str:
        if self.visibility_fixed:
            return self.visibilities[0]
        return str(self.cleaned_data["visibility"])


class SharedFileForm(_VisibilityForm):
    """Sharing a file: its title, the file, and who can see it."""

    title = text_field(
        "Title",
        required_message="Enter a title for the file",
        max_length=TITLE_MAX,
        help_text="For example, Shopping list or Care plan",
    )
    # Not required here: the service says "Select a file", beside the field, as for every
    # other thing wrong with it.
    file = forms.FileField(label="Upload a file", required=False, allow_empty_file=True)

    field_order = ["title", "file", "visibility"]


class FileVisibilityForm(_VisibilityForm):
    """Changing who can see a file."""
