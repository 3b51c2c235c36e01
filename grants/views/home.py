from django.shortcuts import redirect
from django.views.generic import ListView

from grants.models import Project


class HomeView(ListView):
    """Send staff to their workspace; show a grantee their organisation's projects."""

    template_name = "grants/home.html"
    context_object_name = "projects"

    def get(self, request, *args, **kwargs):
        if request.user.is_staff:
            return redirect("admin:index")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .with_pending_total()
            .select_related("organisation", "scheme")
        )
