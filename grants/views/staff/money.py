"""Staff decisions on money: recommend an instalment, record its release."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms import DateField
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grants import services
from grants.formatting import format_date, format_inr
from grants.forms import staff as forms
from grants.models import Instalment, Project, ReleaseCondition
from grants.reads import conditions, pipeline
from grants.views.staff.actions import ActionView


class InstalmentRecommendView(ActionView):
    model = Instalment
    form_class = forms.RecommendForm
    permission_required = "grants.recommend_instalment"
    service = "recommend_instalment"
    actor = "recommended_by"
    title = _("Recommend an instalment for release")
    button = _("Recommend to finance")
    section = "instalments"
    template_name = "grants/staff/instalment_action.html"
    success_message = _("%(object)s recommended to finance for release.")

    related = ("project", "released_by")

    @cached_property
    def state(self):
        return self.state_on(timezone.localdate())

    def state_on(self, day):
        """The instalment's place in the pipeline on ``day``."""
        project = pipeline.projects_for_pipeline(
            Project.objects.filter(pk=self.object.project_id)
        ).get()
        states = pipeline.release_states(project, on=day)
        return next(s for s in states if s.instalment.pk == self.object.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(state=self.state, **kwargs)


class InstalmentReleaseView(InstalmentRecommendView):
    """Record a release; the GFR rule and the 75% warning are answered on the form.

    When no accepted UC covers the previous release the page says so and asks for
    the override reason; when the covering UC shows low utilisation it shows the
    figure and asks for the acknowledgement note. Both are then mandatory.
    """

    form_class = forms.ReleaseForm
    permission_required = "grants.release_instalment"
    service = "release_instalment"
    actor = "released_by"
    title = _("Record the release of an instalment")
    button = _("Record the release")

    def get(self, request, *args, **kwargs):
        return self.released_meanwhile() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.released_meanwhile() or super().post(request, *args, **kwargs)

    def released_meanwhile(self):
        """Tell the second of two finance officers plainly that it is out already.

        Without this, the form would read the instalment's own release as "the
        previous release" and ask the loser of a race for an override reason.
        """
        instalment = self.object
        if not instalment.is_released:
            return None
        messages.warning(self.request, services.already_released(instalment))
        return redirect(self.get_success_url())

    def situation(self, released_on):
        """Return (previous release date, covering UC) as the service will see them."""
        project = self.object.project
        previous = (
            project.instalments.released()
            .filter(sequence__lt=self.object.sequence)
            .aggregate(last=Max("released_on"))["last"]
        )
        if previous is None or released_on is None:
            return previous, None
        covering = services.find_covering_certificate(
            project, previous_release_on=previous, release_on=released_on
        )
        return previous, covering

    @cached_property
    def state(self):
        # On the release date asked for, as the service will judge it.
        return self.state_on(self.release_on or timezone.localdate())

    @cached_property
    def release_on(self):
        """The release date the user asked for (today on a fresh form)."""
        if self.request.method != "POST":
            return timezone.localdate()
        try:
            return DateField().clean(self.request.POST.get("released_on"))
        except ValidationError:
            return None

    @cached_property
    def needs(self):
        previous, covering = self.situation(self.release_on)
        project = self.object.project
        unmet = conditions.unmet(
            self.object,
            project=project,
            certificates=list(project.certificates.all()),
            on=self.release_on or timezone.localdate(),
        )
        uc_missing = previous is not None and covering is None
        override = uc_missing or bool(unmet)
        low = (
            covering is not None
            and covering.utilisation_percent < services.LOW_UTILISATION_PERCENT
        )
        return {
            "previous": previous,
            "covering": covering,
            "override": override,
            "uc_missing": uc_missing,
            "unmet": unmet,
            "low_utilisation": low,
        }

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "require_override": self.needs["override"],
            "require_note": self.needs["low_utilisation"],
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(needs=self.needs, **kwargs)

    def describe(self, result):
        return gettext(
            "%(instalment)s released on %(date)s: %(amount)s, order %(order)s."
        ) % {
            "instalment": result,
            "date": format_date(result.released_on, "d M Y"),
            "amount": f"₹\u00a0{format_inr(result.amount)}",
            "order": result.release_order_number,
        }


class ConditionMetView(ActionView):
    """The programme officer marks a free-text condition of a release as met."""

    model = ReleaseCondition
    form_class = forms.ConditionMetForm
    permission_required = "grants.mark_condition_met"
    service = "mark_condition_met"
    actor = "marked_by"
    related = ("instalment__project", "milestone")
    title = _("Mark a condition of release as met")
    button = _("Mark it met")
    section = "instalments"
    success_message = _("Condition “%(condition)s” of %(instalment)s marked met.")

    @property
    def project(self):
        return self.object.instalment.project

    def message_values(self, result):
        return {"condition": self.object.name, "instalment": self.object.instalment}
