"""The API's endpoints, one view set per kind of object.

Each reads its rows through ``access.visible`` and filters them like its staff
table; the writes (a grantee's submission, staff's decision) are actions on the
object they concern, and call ``grants.api.writes``.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import renderers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404

from grants import summaries
from grants.api import access, filters, serializers, writes
from grants.api.base import ReadViewSet
from grants.models import (
    BudgetLine,
    Document,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from grants.reads import rows
from grants.uploads.downloads import file_response


def with_elements(projects):
    """Give each project its elements' symbols, in one query for the whole page.

    Prefetching the elements would make an object of every element of every
    project on the page; the symbols are all the answer shows.
    """
    if not projects:
        return projects
    symbols = {project.pk: [] for project in projects}
    links = (
        Project.elements.through.objects.filter(project_id__in=symbols)
        .order_by("element__atomic_number")
        .values_list("project_id", "element_id")
    )
    for project_id, symbol in links:
        symbols[project_id].append(symbol)
    for project in projects:
        project.element_symbols = symbols[project.pk]
    return projects


class AnyRenderer(renderers.JSONRenderer):
    """Lets a download be asked for with any ``Accept``; an error is still JSON."""

    media_type = "*/*"


@extend_schema_view(
    list=extend_schema(summary=_("Projects, with their money and pipeline")),
    retrieve=extend_schema(summary=_("One project")),
)
class ProjectViewSet(ReadViewSet):
    model = Project
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter
    related = (
        "organisation",
        "scheme",
        "summary",
        "principal_investigator",
        "programme_officer",
    )
    columns = (
        *(
            name
            for name in serializers.ProjectSerializer.Meta.fields
            if name not in ("stage_label", "status_label", "elements", "summary")
        ),
        *(f"organisation__{name}" for name in ("name", "slug", "kind")),
        *(f"scheme__{name}" for name in ("code", "name")),
        *(
            f"{person}__{name}"
            for person in ("principal_investigator", "programme_officer")
            for name in ("username", "display_name", "first_name", "last_name")
        ),
        *(f"summary__{name}" for name in serializers.SUMMARY_COLUMNS),
    )

    @extend_schema(
        summary=_("Submit a utilisation certificate for the project"),
        request={"multipart/form-data": writes.CertificateInput},
        responses={201: serializers.CertificateSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def certificate(self, request, pk=None):
        """A certificate not asked for by a milestone, e.g. a provisional one."""
        # The whole project, for the rules to read; none of the list's figures.
        project = get_object_or_404(
            access.visible(Project, request.user).select_related("organisation"),
            pk=pk,
        )
        return writes.submit_certificate(self, project)

    def paginate_queryset(self, queryset):
        return with_elements(super().paginate_queryset(queryset))

    def get_object(self):
        return with_elements([super().get_object()])[0]

    def rows(self, queryset):
        # The figures are the summaries'; bring the few changed ones up to date.
        summaries.bring_up_to_date(on=timezone.localdate())
        return queryset


@extend_schema_view(
    list=extend_schema(summary=_("Budget lines: each head's amount per year")),
    retrieve=extend_schema(summary=_("One budget line")),
)
class BudgetLineViewSet(ReadViewSet):
    model = BudgetLine
    serializer_class = serializers.BudgetLineSerializer
    filterset_class = filters.BudgetLineFilter


@extend_schema_view(
    list=extend_schema(summary=_("Instalments and their release conditions")),
    retrieve=extend_schema(summary=_("One instalment")),
)
class InstalmentViewSet(ReadViewSet):
    model = Instalment
    serializer_class = serializers.InstalmentSerializer
    filterset_class = filters.InstalmentFilter
    related = ("project",)
    prefetch = ("conditions",)
    columns = (
        *(
            name
            for name in serializers.InstalmentSerializer.Meta.fields
            if name not in ("project_reference", "conditions")
        ),
        "project__reference",
    )

    def rows(self, queryset):
        # The state the filter asks about; of the project, its reference alone.
        return (
            rows.instalment_rows(queryset)
            .select_related(None)
            .select_related(*self.related)
        )


@extend_schema_view(
    list=extend_schema(summary=_("Utilisation certificates (Form GFR 12-A)")),
    retrieve=extend_schema(summary=_("One utilisation certificate")),
)
class CertificateViewSet(ReadViewSet):
    model = UtilisationCertificate
    serializer_class = serializers.CertificateSerializer
    filterset_class = filters.CertificateFilter
    prefetch = ("received_instalments",)

    @extend_schema(
        summary=_("Accept a utilisation certificate (finance)"),
        request=writes.CertificateDecisionInput,
        responses={200: serializers.CertificateSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        return writes.decide(
            self,
            self.get_object(),
            permission="grants.decide_certificate",
            input_class=writes.CertificateDecisionInput,
            service="accept_certificate",
            fields=("decided_on",),
            answer=serializers.CertificateSerializer,
        )

    @extend_schema(
        summary=_("Return a utilisation certificate to the grantee (finance)"),
        request=writes.ReturnInput,
        responses={200: serializers.CertificateSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", filter_backends=[])
    def return_it(self, request, pk=None):
        return writes.decide(
            self,
            self.get_object(),
            permission="grants.decide_certificate",
            input_class=writes.ReturnInput,
            service="return_certificate",
            fields=("decided_on", "reason"),
            answer=serializers.CertificateSerializer,
        )


@extend_schema_view(
    list=extend_schema(summary=_("Milestones: reports and certificates owed")),
    retrieve=extend_schema(summary=_("One milestone")),
)
class MilestoneViewSet(ReadViewSet):
    model = Milestone
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    related = ("project",)

    @extend_schema(
        summary=_("Submit the progress report the milestone asks for"),
        request={
            "application/json": writes.ReportInput,
            "multipart/form-data": writes.ReportInput,
        },
        responses={201: serializers.ReportSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request, pk=None):
        """A report, or the next version of a returned one, with any attachments."""
        return writes.submit_report(self, self.get_object())

    @extend_schema(
        summary=_("Submit the utilisation certificate the milestone asks for"),
        request={"multipart/form-data": writes.CertificateInput},
        responses={201: serializers.CertificateSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def certificate(self, request, pk=None):
        """The certificate with its signed copy (a PDF), as multipart form data."""
        milestone = self.get_object()
        return writes.submit_certificate(self, milestone.project, milestone)


@extend_schema_view(
    list=extend_schema(summary=_("Progress reports, every version")),
    retrieve=extend_schema(summary=_("One version of a progress report")),
)
class ReportViewSet(ReadViewSet):
    model = ProgressReport
    serializer_class = serializers.ReportSerializer
    filterset_class = filters.ReportFilter
    related = ("milestone",)

    @extend_schema(
        summary=_("Accept a progress report (programme officer)"),
        request=writes.DecisionInput,
        responses={200: serializers.ReportSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        return writes.decide(
            self,
            self.get_object(),
            permission="grants.decide_report",
            input_class=writes.DecisionInput,
            service="accept_progress_report",
            fields=("decided_on", "comment"),
            answer=serializers.ReportSerializer,
        )

    @extend_schema(
        summary=_("Return a progress report to the grantee (programme officer)"),
        request=writes.ReturnInput,
        responses={200: serializers.ReportSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", filter_backends=[])
    def return_it(self, request, pk=None):
        return writes.decide(
            self,
            self.get_object(),
            permission="grants.decide_report",
            input_class=writes.ReturnInput,
            service="return_progress_report",
            fields=("decided_on", "reason"),
            answer=serializers.ReportSerializer,
        )


@extend_schema_view(
    list=extend_schema(summary=_("Documents: what is known of each file")),
    retrieve=extend_schema(summary=_("One document")),
)
class DocumentViewSet(ReadViewSet):
    model = Document
    serializer_class = serializers.DocumentSerializer
    filterset_class = filters.DocumentFilter

    @extend_schema(
        summary=_("The document's file"),
        responses={
            (200, "application/octet-stream"): {"type": "string", "format": "binary"}
        },
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[renderers.JSONRenderer, AnyRenderer],
    )
    def file(self, request, pk=None):
        """The file itself, as an attachment; the same check as reading it."""
        return file_response(self.get_object())
