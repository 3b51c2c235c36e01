"""The OpenAPI document: every operation lists the errors it can answer.

drf-spectacular describes the success of each operation from its serializers;
this adds the problem details (``grants.api.problems``) each one can answer, so a
client generated from the document knows every response it will meet.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from grants.api.problems import ProblemSerializer

ERRORS = {
    "401": _("No token, or a token that is wrong, expired or revoked."),
    "403": _("The token's user may not do this."),
    "404": _("No such object among those the token's user may see."),
    "429": _("Too many requests with this token; Retry-After says when to retry."),
}
WRITE_ERRORS = {
    "400": _("The input is not valid: each field's problem, as the form says it."),
    "422": _("A rule refused the change (the General Financial Rules, a status)."),
}


class AutoSchema(SpectacularAutoSchema):
    def get_description(self):
        # The views' docstrings are notes for the code's readers, in English only;
        # what a client reads is each operation's translated summary.
        return ""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(WRITE_ERRORS)
        if self._is_list_view() and self.method == "GET":
            # A list answers 400 for a filter value it does not know.
            errors["400"] = _("A filter's value is not one the list knows.")
            errors.pop("404")
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, code, ["application/problem+json"]
                )
                response["description"] = str(description)
                responses[code] = response
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    """How a request signs in, as the document tells a client: a knox token."""

    target_class = "grants.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
