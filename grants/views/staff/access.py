"""Who may use the staff workspace, decided in one place.

Every staff view starts with ``StaffRequiredMixin``. Actions also name the
permission they need (``grants.release_instalment`` and so on), so a programme
officer cannot record a release: the roles are groups holding those permissions
(migration ``0003_staff_roles``).
"""

from django.contrib.auth.mixins import UserPassesTestMixin


class StaffRequiredMixin(UserPassesTestMixin):
    """Let in ministry staff only; a grantee gets 403, anonymous users the login."""

    def test_func(self):
        return self.request.user.is_staff
