"""The API lists' filters: the staff tables' own (``grants.filters``), plus
``project_id`` on every list (the tables match a project by its words)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from grants import filters
from grants.models import BudgetLine, Document, ProgressReport


def project_filter(field_name="project"):
    return filters.IdFilter(field_name=field_name, label=_("Project (its id)"))


class BudgetLineFilter(django_filters.FilterSet):
    project_id = project_filter()
    head = django_filters.ChoiceFilter(choices=BudgetLine.Head.choices, label=_("Head"))

    class Meta:
        model = BudgetLine
        fields = []


class InstalmentFilter(filters.InstalmentFilter):
    project_id = project_filter()


class CertificateFilter(filters.CertificateFilter):
    project_id = project_filter()


class MilestoneFilter(filters.MilestoneFilter):
    project_id = project_filter()


class ReportFilter(django_filters.FilterSet):
    project_id = project_filter("milestone__project")
    milestone = filters.IdFilter(label=_("Milestone (its id)"))
    status = django_filters.ChoiceFilter(
        choices=ProgressReport.Status.choices, label=_("Status")
    )
    submitted = filters.date_range("submitted_on", _("Submitted"))

    class Meta:
        model = ProgressReport
        fields = []


class DocumentFilter(django_filters.FilterSet):
    project_id = project_filter()
    kind = django_filters.ChoiceFilter(choices=Document.Kind.choices, label=_("Kind"))
    report = filters.IdFilter(label=_("Progress report (its id)"))
    certificate = filters.IdFilter(label=_("Utilisation certificate (its id)"))

    class Meta:
        model = Document
        fields = []


ProjectFilter = filters.ProjectFilter
