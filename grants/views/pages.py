"""The pages GIGW 3.0 asks every government site for: accessibility and help."""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView


@method_decorator(login_not_required, name="dispatch")
class InformationPageView(TemplateView):
    """A page anyone may read, signed in or not, with the day it was last reviewed."""

    # Changed by hand when the page's content is reviewed (GIGW 3.0 asks for the date).
    last_reviewed = datetime.date(2026, 12, 7)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            last_reviewed=self.last_reviewed,
            helpdesk_email=settings.KHANIJ_HELPDESK_EMAIL,
            helpdesk_phone=settings.KHANIJ_HELPDESK_PHONE,
            **kwargs,
        )


class AccessibilityView(InformationPageView):
    template_name = "pages/accessibility.html"


class HelpView(InformationPageView):
    template_name = "pages/help.html"
