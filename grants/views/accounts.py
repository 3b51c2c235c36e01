"""Two-factor authentication: an authenticator app (TOTP) plus printable backup codes.

Staff must use it when ``KHANIJ_STAFF_2FA_REQUIRED`` is on (always in production,
see ``StaffTwoFactorMiddleware``); grantees may turn it on for themselves. Staff
then link their first authenticator only through an administrator's e-mailed
invitation (``grants.services.enrolment``), never with the password alone.
"""

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants import services

BACKUP_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
# The id of the enrolment invitation whose e-mailed link the user opened.
INVITATION_SESSION_KEY = "two_factor_invitation"
# The id of the authenticator this session is setting up.
SETUP_DEVICE_SESSION_KEY = "two_factor_setup_device"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        help_text=_("The 6-digit code from your authenticator app, or a backup code."),
    )


def has_confirmed_device(user) -> bool:
    return any(devices_for_user(user, confirmed=True))


def authenticator_being_set_up(request) -> TOTPDevice | None:
    """The authenticator this session is setting up, if any.

    Kept per session: another session of the same account (someone else who has
    the password) never sees its key or its QR code.
    """
    return TOTPDevice.objects.filter(
        user=request.user,
        confirmed=False,
        pk=request.session.get(SETUP_DEVICE_SESSION_KEY),
    ).first()


def unconfirmed_authenticator(request) -> TOTPDevice:
    """Return the authenticator being set up, creating it the first time."""
    device = authenticator_being_set_up(request)
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=AUTHENTICATOR_NAME, confirmed=False
        )
        request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    return device


@transaction.atomic
def replace_backup_codes(user) -> list[str]:
    """Give the user a fresh set of backup codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def invitation_needed(request, *, link_refused=False):
    """Refuse to link an authenticator without an invitation, saying how to get one."""
    return render(
        request,
        "registration/two_factor_invitation_needed.html",
        {
            "link_refused": link_refused,
            "helpdesk_email": settings.KHANIJ_HELPDESK_EMAIL,
        },
        status=403,
    )


class NextMixin:
    def next_url(self):
        candidate = self.request.POST.get("next") or self.request.GET.get("next")
        if candidate and url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return reverse("home")

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.next_url(), **kwargs)


class TwoFactorVerifyView(NextMixin, FormView):
    """Ask for a code after the password, for users who have an authenticator."""

    template_name = "registration/two_factor_verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if not has_confirmed_device(request.user):
            return redirect(f"{reverse('two-factor-setup')}?next={self.next_url()}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        for device in devices_for_user(user, confirmed=True):
            allowed, details = device.verify_is_allowed()
            if not allowed and (details or {}).get("locked_until"):
                # Each wrong code doubles the wait, which defeats guessing.
                wait = (details["locked_until"] - timezone.now()).total_seconds()
                seconds = max(1, round(wait))
                form.add_error(
                    "token",
                    ngettext(
                        "Too many wrong codes: wait %(count)s second and try the "
                        "newest code.",
                        "Too many wrong codes: wait %(count)s seconds and try the "
                        "newest code.",
                        seconds,
                    )
                    % {"count": seconds},
                )
                return self.form_invalid(form)
        device = match_token(user, form.cleaned_data["token"].strip())
        if device is None or not device.confirmed:
            form.add_error(
                "token", gettext("That code is not right, or was already used.")
            )
            return self.form_invalid(form)
        otp_login(self.request, device)
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            messages.warning(
                self.request,
                ngettext(
                    "You used a backup code; %(count)s remains. Print new ones when "
                    "few are left.",
                    "You used a backup code; %(count)s remain. Print new ones when "
                    "few are left.",
                    left,
                )
                % {"count": left},
            )
        return redirect(self.next_url())


class TwoFactorSetupView(NextMixin, FormView):
    """Link an authenticator app: scan the QR code, then confirm with a code."""

    template_name = "registration/two_factor_setup.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        # Replacing an authenticator needs the current one: a stolen password
        # alone must not be enough to link the thief's phone.
        if has_confirmed_device(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('two-factor-verify')}?next={request.path}")
        # Nor is it enough for a first authenticator where staff must have one:
        # that takes the link an administrator e-mailed (TwoFactorInvitationView).
        self.invitation = None
        if services.needs_invitation_to_enrol(request.user):
            self.invitation = services.invitation_in_force(
                request.user, request.session.get(INVITATION_SESSION_KEY)
            )
            if self.invitation is None:
                return invitation_needed(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = unconfirmed_authenticator(self.request)
        secret = device.config_url.split("secret=")[1].split("&")[0]
        return super().get_context_data(
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            already_set_up=has_confirmed_device(self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        device = unconfirmed_authenticator(self.request)
        if not device.verify_token(form.cleaned_data["token"].strip()):
            form.add_error(
                "token",
                gettext(
                    "That code does not match. Check the phone's clock and try the "
                    "newest code."
                ),
            )
            return self.form_invalid(form)
        try:
            with transaction.atomic():
                if self.invitation is not None:
                    services.use_two_factor_invitation(
                        self.invitation, user=self.request.user
                    )
                # One authenticator per person: the new one replaces any older
                # one, and any other session's half-set-up one.
                TOTPDevice.objects.filter(user=self.request.user).exclude(
                    pk=device.pk
                ).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = replace_backup_codes(self.request.user)
        except services.GrantRuleError:
            return invitation_needed(self.request, link_refused=True)
        self.request.session.pop(INVITATION_SESSION_KEY, None)
        self.request.session.pop(SETUP_DEVICE_SESSION_KEY, None)
        otp_login(self.request, device)
        self.request.session["fresh_backup_codes"] = codes
        messages.success(self.request, gettext("Two-factor authentication is on."))
        return redirect(f"{reverse('two-factor-backup-codes')}?next={self.next_url()}")


class TwoFactorInvitationView(View):
    """The e-mailed enrolment link: keep its invitation in the session, then set up.

    Reached after the password (the login page comes back here); the invitation
    must be the signed-in user's, unused and unexpired. The token leaves the
    address bar at once, by the redirect.
    """

    def get(self, request, token):
        invitation = services.invitation_from_link(request.user, token)
        if invitation is None:
            return invitation_needed(request, link_refused=True)
        request.session[INVITATION_SESSION_KEY] = invitation.pk
        return redirect("two-factor-setup")


class TwoFactorQRCodeView(View):
    """The QR code of the authenticator being set up, as an SVG image."""

    def get(self, request):
        device = authenticator_being_set_up(request)
        if device is None:
            raise Http404
        image = qrcode.make(
            device.config_url, image_factory=qrcode.image.svg.SvgPathImage
        )
        response = HttpResponse(image.to_string(), content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        return response


class BackupCodesView(NextMixin, TemplateView):
    """Show backup codes once, to print; regenerate them on request."""

    template_name = "registration/two_factor_backup_codes.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_verified():
            return redirect(f"{reverse('two-factor-verify')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = StaticDevice.objects.filter(user=self.request.user).first()
        return super().get_context_data(
            codes=self.request.session.pop("fresh_backup_codes", None),
            remaining=device.token_set.count() if device else 0,
            **kwargs,
        )

    def post(self, request):
        request.session["fresh_backup_codes"] = replace_backup_codes(request.user)
        messages.success(
            request, gettext("New backup codes made; the old ones no longer work.")
        )
        return redirect("two-factor-backup-codes")
