"""The forms of "Your details": the name members see, and a mobile number proved by a code."""

from __future__ import annotations

from django import forms

from accounts.services import DISPLAY_NAME_MAX
from frontend.forms.kit import GovForm, text_field
from notifications.phone import CODE_DIGITS


class DisplayNameForm(GovForm):
    display_name = text_field(
        "Your name",
        required_message="Enter your name",
        max_length=DISPLAY_NAME_MAX,
        help_text="How other members of your networks see you.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )


class MobileForm(GovForm):
    phone = text_field(
        "Mobile phone number",
        required_message="Enter your mobile phone number",
        max_length=32,
        help_text="We will text you a code to check it. For international numbers include "
        "the country code.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )


class MobileCodeForm(GovForm):
    code = text_field(
        "Code from the text message",
        required_message="Enter the code we texted you",
        max_length=20,
        help_text=f"The code is {CODE_DIGITS} numbers.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == CODE_DIGITS):
            raise forms.ValidationError(f"The code must be {CODE_DIGITS} numbers")
        return code


class WorkContactForm(GovForm):
    """A professional's work phone and e-mail at one agency; the prefix is the agency's id,
    so each agency's form on the page has fields of its own."""

    work_phone = text_field(
        "Work phone number (optional)",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "work tel", "type": "tel"}),
    )
    work_email = text_field(
        "Work e-mail address (optional)",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "work email", "type": "email", "spellcheck": "false"}
        ),
    )
