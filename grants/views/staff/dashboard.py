"""The staff dashboard: the portfolio at a glance."""

from django.utils import timezone
from django.views.generic import TemplateView

from grants import charts
from grants.reads import dashboard
from grants.views.staff.access import StaffRequiredMixin


class DashboardView(StaffRequiredMixin, TemplateView):
    """The portfolio at a glance: figures, breakdowns, TRL and work queues."""

    template_name = "grants/staff/dashboard.html"

    def get_context_data(self, **kwargs):
        board = dashboard.build(on=timezone.localdate())
        charted = [
            (
                breakdown,
                charts.bar_chart(
                    [
                        charts.Bar(label, figures.sanctioned, figures.released)
                        for label, figures in breakdown.rows
                    ],
                    title="Sanctioned and released, "
                    + breakdown.dimension.title.lower(),
                    value_name="Sanctioned",
                    part_name="Released",
                ),
            )
            for breakdown in board.breakdowns
        ]
        released_chart = charts.bar_chart(
            [charts.Bar(year, amount) for year, amount in board.released_by_year],
            title="Released by fiscal year of release",
        )
        trl_chart = charts.bar_chart(
            [charts.Bar(f"TRL {row.level}", row.now) for row in board.trl],
            title="Projects by TRL now",
            money=False,
        )
        return super().get_context_data(
            board=board,
            charted=charted,
            released_chart=released_chart,
            trl_chart=trl_chart,
            **kwargs,
        )
