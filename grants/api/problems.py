"""Errors as problem details (RFC 9457): one shape for every refusal.

Every error answers ``application/problem+json``::

    {"type": "urn:khanij:problem:invalid", "title": "The input is not valid.",
     "status": 400, "detail": "The period cannot end before it starts.",
     "instance": "/api/v1/milestones/12/report/",
     "errors": [{"code": "invalid", "detail": "…", "pointer": "#/period_end"}]}

``errors`` names each field's problem with a JSON Pointer into the request body
(``null`` for the request as a whole); the messages are the forms' own, in the
user's language. DRF has no problem details of its own; drf-standardized-errors
gathers and flattens the errors, and the formatter below gives them this shape.
"""

from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, serializers, status

PROBLEM_TYPES = {
    # (exception class, its problem type, its title), the first that matches.
    exceptions.ValidationError: ("invalid", _("The input is not valid.")),
    exceptions.NotAuthenticated: ("not-signed-in", _("No API token was given.")),
    exceptions.AuthenticationFailed: (
        "token-refused",
        _("The API token was refused."),
    ),
    exceptions.PermissionDenied: ("forbidden", _("This is not allowed.")),
    exceptions.NotFound: ("not-found", _("Nothing was found at this address.")),
    exceptions.MethodNotAllowed: (
        "method-not-allowed",
        _("This address does not take that method."),
    ),
    exceptions.UnsupportedMediaType: (
        "unsupported-media-type",
        _("The request body is in a format the API does not read."),
    ),
    exceptions.ParseError: ("malformed", _("The request body could not be read.")),
    exceptions.Throttled: ("throttled", _("Too many requests with this token.")),
}


class RefusedByRule(exceptions.APIException):
    """A service refused the change under a rule: what the form would have shown."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "refused"
    default_detail = _("A rule refused the change.")


PROBLEM_TYPES[RefusedByRule] = ("refused", _("A rule refused the change."))


# The libraries' own messages (DRF's, knox's), which have no Hindi, in our words.
OWN_WORDS = {
    exceptions.NotAuthenticated: _(
        "Send your API token in the Authorization header: Token khanij_…"
    ),
    exceptions.AuthenticationFailed: _(
        "The API token is wrong, expired or revoked, or its user may no longer sign "
        "in. Make a new one on the account page."
    ),
    exceptions.NotFound: _("Nothing was found at this address among what you may see."),
    exceptions.MethodNotAllowed: _("This address does not take the %(method)s method."),
    exceptions.UnsupportedMediaType: _(
        "Send the fields as JSON, or as multipart/form-data when there are files."
    ),
    exceptions.ParseError: _("The request body could not be read as JSON."),
    exceptions.NotAcceptable: _("The API answers in JSON only."),
    exceptions.PermissionDenied: _("Your role may not do this."),
}
# Kept as raised: the message is ours (a second-factor refusal, a role refusal).
OWN_CODES = {"second_factor"}


def own_words(exc, request) -> str | None:
    """Our message for a library's refusal, or None to keep the one raised."""
    if isinstance(exc, exceptions.Throttled):
        return _("Too many requests with this token: try again in %(seconds)s s.") % {
            "seconds": int(exc.wait or 1)
        }
    if isinstance(exc, exceptions.ValidationError | RefusedByRule):
        return None
    codes = exc.get_codes()
    if isinstance(codes, str) and codes in OWN_CODES:
        return None
    for kind, words in OWN_WORDS.items():
        if isinstance(exc, kind):
            if kind is exceptions.PermissionDenied and str(exc.detail) != str(
                exc.default_detail
            ):
                return None
            method = request.method if request is not None else ""
            return str(words) % {"method": method} if "%(" in str(words) else str(words)
    return None


def problem_type(exc) -> tuple[str, str]:
    for kind, described in PROBLEM_TYPES.items():
        if isinstance(exc, kind):
            return described
    if exc.status_code >= 500:
        return "server-error", _("The server could not answer.")
    return "client-error", _("The request could not be answered.")


def pointer(attr: str | None) -> str | None:
    """A field's name as a JSON Pointer into the body; none for the whole request."""
    if not attr or attr == "non_field_errors" or attr == "__all__":
        return None
    return "#/" + attr.replace(".", "/")


class ProblemFormatter(ExceptionFormatter):
    def format_error_response(self, error_response):
        request = self.context.get("request")
        kind, title = problem_type(self.exc)
        errors = [
            {
                "code": error.code,
                "detail": str(error.detail),
                "pointer": pointer(error.attr),
            }
            for error in error_response.errors
        ]
        if (words := own_words(self.exc, request)) is not None:
            code = errors[0]["code"] if errors else kind
            errors = [{"code": code, "detail": words, "pointer": None}]
        return {
            "type": f"urn:khanij:problem:{kind}",
            "title": str(title),
            "status": self.exc.status_code,
            "detail": errors[0]["detail"] if errors else str(title),
            "instance": request.path if request is not None else None,
            "errors": errors,
        }


class ProblemHandler(ExceptionHandler):
    def get_response(self, exc, data):
        response = super().get_response(exc, data)
        response.content_type = "application/problem+json"
        return response


# What the schema says every error looks like.


class ProblemErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A short name for the error."))
    detail = serializers.CharField(help_text=_("The message, as the form shows it."))
    pointer = serializers.CharField(
        allow_null=True,
        help_text=_("The field, as a JSON Pointer into the body; null for the whole."),
    )


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("urn:khanij:problem: and its kind."))
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(allow_null=True)
    errors = ProblemErrorSerializer(many=True)
