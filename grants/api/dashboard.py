"""The dashboard's figures for the ministry's MIS: the same rollup as the page."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api.access import PortfolioFigures
from grants.api.base import Logged
from grants.reads import dashboard


class FiguresSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    sanctioned = serializers.IntegerField(help_text=_("Rupees."))
    released = serializers.IntegerField(help_text=_("Rupees."))
    pending = serializers.IntegerField(help_text=_("Sanctioned, not released (Rs)."))
    expenditure = serializers.IntegerField(help_text=_("In accepted UCs (Rs)."))
    unspent = serializers.IntegerField(help_text=_("Held by grantees (Rs)."))


class BreakdownRowSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    figures = FiguresSerializer()


class BreakdownSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    title = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class YearAmountSerializer(serializers.Serializer):
    fiscal_year = serializers.CharField()
    amount = serializers.IntegerField(help_text=_("Rupees."))


class TRLSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    start = serializers.IntegerField(help_text=_("Projects that started here."))
    now = serializers.IntegerField(help_text=_("Projects here now."))
    target = serializers.IntegerField(help_text=_("Projects aiming here."))


class StageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.IntegerField(help_text=_("Rupees."))


class QueuesSerializer(serializers.Serializer):
    overdue_milestones = serializers.IntegerField()
    milestones_due_soon = serializers.IntegerField()
    certificates_awaiting_review = serializers.IntegerField()
    reports_awaiting_review = serializers.IntegerField()
    returned_milestones = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    on = serializers.DateField()
    fiscal_year = serializers.CharField()
    totals = FiguresSerializer()
    breakdowns = BreakdownSerializer(many=True)
    released_by_fiscal_year = YearAmountSerializer(many=True)
    trl = TRLSerializer(many=True)
    release_pipeline = StageSerializer(many=True)
    queues = QueuesSerializer()


def figures(item: dashboard.Figures) -> dict:
    return {name: getattr(item, name) for name in (*dashboard.FIGURE_NAMES, "pending")}


def as_data(board: dashboard.Dashboard) -> dict:
    return {
        "on": board.on,
        "fiscal_year": board.fiscal_year,
        "totals": figures(board.totals),
        "breakdowns": [
            {
                "dimension": item.dimension.key,
                "title": str(item.dimension.title),
                "rows": [
                    {"value": value, "label": str(label), "figures": figures(row)}
                    for value, (label, row) in zip(item.values, item.rows, strict=True)
                ],
            }
            for item in board.breakdowns
        ],
        "released_by_fiscal_year": [
            {"fiscal_year": year, "amount": amount}
            for year, amount in board.released_by_year
        ],
        "trl": [vars(row) for row in board.trl],
        "release_pipeline": [
            {
                "stage": column.stage,
                "label": str(column.label),
                "count": column.count,
                "amount": column.amount,
            }
            for column in board.pipeline
        ],
        "queues": {
            "overdue_milestones": board.overdue.count,
            "milestones_due_soon": board.due_soon.count,
            "certificates_awaiting_review": board.certificates.count,
            "reports_awaiting_review": board.reports.count,
            "returned_milestones": board.returned,
        },
    }


class DashboardView(Logged, APIView):
    permission_classes = [PortfolioFigures]

    @extend_schema(
        summary=_("The portfolio's figures, as the dashboard shows them"),
        responses={200: DashboardSerializer},
    )
    def get(self, request):
        board = dashboard.build(on=timezone.localdate())
        return Response(DashboardSerializer(as_data(board)).data)
