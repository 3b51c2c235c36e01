"""Input the API reads with the very forms the pages use.

A report or certificate sent to the API is checked by the portal's own form,
and a decision by the staff workspace's: the same fields, the same rules, the
same messages in the same language. ``FormInput`` is a serializer whose fields
are made from the form's (for the OpenAPI document) and whose validation is the
form's; a service's refusal becomes a 422 with the message the form would show.
Writing a second set of serializers would have been a second set of rules to
keep equal to the first.
"""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from grants.api.problems import RefusedByRule
from grants.forms import DayField
from grants.forms.portal import MultipleFileField

NUMBER_LIMITS = ("min_value", "max_value")


def api_field(form_field: forms.Field) -> serializers.Field:
    """The serializer field that describes a form field in the OpenAPI document."""
    common = {
        "required": form_field.required,
        "help_text": str(form_field.help_text or form_field.label or ""),
        "label": str(form_field.label or ""),
    }
    if isinstance(form_field, MultipleFileField):
        return serializers.ListField(child=serializers.FileField(), **common)
    if isinstance(form_field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(form_field, forms.ChoiceField):
        return serializers.ChoiceField(choices=list(form_field.choices), **common)
    if isinstance(form_field, DayField | forms.DateField):
        return serializers.DateField(**common)
    if isinstance(form_field, forms.IntegerField):
        limits = {
            name: getattr(form_field, name)
            for name in NUMBER_LIMITS
            if getattr(form_field, name, None) is not None
        }
        return serializers.IntegerField(**limits, **common)
    return serializers.CharField(allow_blank=not form_field.required, **common)


NOT_AN_OBJECT = _("Send the fields as one JSON object, or as form data.")
FILES_IN_JSON = _("Send files as multipart/form-data, not inside JSON.")
NOT_ONE_VALUE = _("Give one value here, not a list or an object.")
NOT_A_LIST = _("Give a list of values here.")


def form_data(data: Mapping, form_class: type[forms.Form]) -> QueryDict:
    """A JSON object as the form reads a posted form: one text per field, or a list.

    A form takes text from a browser; JSON can send a number, a list or an object
    anywhere. A number becomes its text, as a browser would send it; a list where
    one value goes, an object anywhere, or a file inside JSON is refused by name.
    """
    fields = form_class.base_fields
    found, problems = QueryDict(mutable=True), {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None or value is None:
            continue
        if isinstance(field, forms.FileField):
            problems[name] = [FILES_IN_JSON]
        elif isinstance(field, forms.ModelMultipleChoiceField):
            if not isinstance(value, list) or not all(
                isinstance(item, str | int) and not isinstance(item, bool)
                for item in value
            ):
                problems[name] = [NOT_A_LIST]
            else:
                found.setlist(name, [str(item) for item in value])
        elif isinstance(value, bool):
            found[name] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            found[name] = str(value)
        else:
            problems[name] = [NOT_ONE_VALUE]
    if problems:
        raise serializers.ValidationError(problems)
    return found


def form_errors(form: forms.BaseForm) -> dict:
    """The form's errors, with their codes, as DRF's validation error takes them."""
    return {
        ("non_field_errors" if field == NON_FIELD_ERRORS else field): [
            ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]
        for field, errors in form.errors.as_data().items()
    }


def refused(error) -> RefusedByRule:
    """A service's ``GrantRuleError`` as the API answers it (422)."""
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": error.messages}
    return RefusedByRule(detail)


class FormInput(serializers.Serializer):
    """A request body read by ``form_class``; ``form_kwargs`` in the context.

    After ``is_valid()``, ``validated_data`` is the form's ``cleaned_data`` and
    ``form`` is the bound form, for what its methods compute.
    """

    form_class: type[forms.Form] = forms.Form

    def get_fields(self):
        return {
            name: api_field(field)
            for name, field in self.form_class.base_fields.items()
        }

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({"non_field_errors": [NOT_AN_OBJECT]})
        if not isinstance(data, QueryDict):
            data = form_data(data, self.form_class)
        request = self.context.get("request")
        files = request.FILES if request is not None else None
        self.form = self.form_class(
            data=data, files=files, **self.context.get("form_kwargs", {})
        )
        if not self.form.is_valid():
            raise serializers.ValidationError(form_errors(self.form))
        return self.form.cleaned_data

    def to_representation(self, instance):
        raise NotImplementedError("Input only: the answer has its own serializer.")


def form_input(form: type[forms.Form]) -> type[FormInput]:
    """A ``FormInput`` for ``form``, named after it in the OpenAPI document."""
    name = form.__name__.removesuffix("Form") + "Input"
    return type(name, (FormInput,), {"form_class": form, "__module__": __name__})
