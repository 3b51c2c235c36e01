"""A signed-in user's own API tokens: made, listed and revoked on their account page.

A new token's secret is on the page that answers the form, once: it is not put
in the session or a message, and the page is never cached (no-store).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from grants import services
from grants.forms.api_tokens import ApiTokenForm
from grants.models import ApiToken
from grants.views.common import add_rule_errors


class ApiTokensView(FormView):
    form_class = ApiTokenForm
    template_name = "registration/api_tokens.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            tokens=ApiToken.objects.filter(user=user).order_by("-created"),
            needs_second_factor=user.is_staff and not user.is_verified(),
            docs_url=reverse("api:docs"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            token, secret = services.create_api_token(
                self.request.user,
                name=form.cleaned_data["name"],
                lifetime_days=form.cleaned_data["lifetime_days"],
                second_factor_passed=self.request.user.is_verified(),
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(form=ApiTokenForm(), made=token, secret=secret)
        )


class ApiTokenRevokeView(View):
    http_method_names = ["post"]

    def post(self, request, key):
        token = get_object_or_404(
            ApiToken.objects.filter(user=request.user), token_key=key
        )
        name = token.name
        services.revoke_api_token(token)
        messages.success(
            request,
            _("The token “%(name)s” was revoked: it no longer works.") % {"name": name},
        )
        return redirect("api-tokens")
