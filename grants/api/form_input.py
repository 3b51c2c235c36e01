"""Input the API reads with the very forms the pages use.

A report or certificate sent to the API is checked by the portal's own form,
and a decision by the staff workspace's: the same fields, the same rules, the
same messages in the same language. ``FormInput`` is a serializer whose fields
are made from the form's (for the OpenAPI document) and whose validation is the
form's; a service's refusal becomes a 422 with the message the form would show.
Writing a second set of serializers would have been a second set of rules to
keep equal to the first.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
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
