"""The staff dashboard: the portfolio at a glance."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from grants import charts, page_cache
from grants.reads import dashboard
from grants.views.staff.access import StaffRequiredMixin


def breakdown_title(dimension) -> str:
    """The title of a breakdown's chart, one whole sentence per dimension."""
    titles = {
        "fiscal_year": _("Sanctioned and released, by fiscal year of sanction"),
        "scheme": _("Sanctioned and released, by scheme"),
        "kind": _("Sanctioned and released, by grantee kind"),
        "stage": _("Sanctioned and released, by REE value-chain stage"),
        "status": _("Sanctioned and released, by status"),
    }
    if dimension.key in titles:
        return titles[dimension.key]
    return _("Sanctioned and released: %(dimension)s") % {"dimension": dimension.title}


class DashboardView(StaffRequiredMixin, TemplateView):
    """The portfolio at a glance: figures, breakdowns, TRL and work queues."""

    template_name = "grants/staff/dashboard.html"

    def get_context_data(self, **kwargs):
        # The body is the same for every staff user: rendered once per change to
        # the portfolio (and per day and language), then read from the cache.
        body = page_cache.rendered(
            "dashboard",
            template="grants/staff/includes/dashboard_body.html",
            context=dashboard_context,
            request=self.request,
        )
        return super().get_context_data(dashboard_body=body, **kwargs)


def dashboard_context() -> dict:
    """The figures, queues and charts of the dashboard's body, as of today."""
    board = dashboard.build(on=timezone.localdate())
    charted = [
        (
            breakdown,
            charts.bar_chart(
                [
                    charts.Bar(label, figures.sanctioned, figures.released)
                    for label, figures in breakdown.rows
                ],
                title=breakdown_title(breakdown.dimension),
                value_name=_("Sanctioned"),
                part_name=_("Released"),
            ),
        )
        for breakdown in board.breakdowns
    ]
    released_chart = charts.bar_chart(
        [charts.Bar(year, amount) for year, amount in board.released_by_year],
        title=_("Released by fiscal year of release"),
    )
    trl_chart = charts.bar_chart(
        [charts.Bar(f"TRL {row.level}", row.now) for row in board.trl],
        title=_("Projects by TRL now"),
        money=False,
    )
    return {
        "board": board,
        "charted": charted,
        "released_chart": released_chart,
        "trl_chart": trl_chart,
    }
