"""A project's brief for a committee meeting: one A4 page as PDF."""

from django.utils import timezone
from django.views.generic import DetailView

from grants.reads import briefs
from grants.views.paper import PdfMixin, document_filename
from grants.views.staff.access import StaffRequiredMixin


class ProjectBriefView(StaffRequiredMixin, PdfMixin, DetailView):
    template_name = "paper/project_brief.html"
    context_object_name = "project"

    def get_queryset(self):
        return briefs.brief_projects()

    def get_filename(self) -> str:
        return document_filename("project-brief", self.object.reference)

    def get_context_data(self, **kwargs):
        brief = briefs.project_brief(self.object, on=timezone.localdate())
        return super().get_context_data(
            brief=brief, illustrative=brief.illustrative, **kwargs
        )
