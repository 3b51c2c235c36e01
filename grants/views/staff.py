"""The staff workspace: pages for programme and finance officers.

Access is stated once: every view here starts with ``StaffRequiredMixin``.
"""

from django.contrib.auth.mixins import UserPassesTestMixin


class StaffRequiredMixin(UserPassesTestMixin):
    """Let in ministry staff only; a grantee gets 403, anonymous users the login."""

    def test_func(self):
        return self.request.user.is_staff


urlpatterns = []
