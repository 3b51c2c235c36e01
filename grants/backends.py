"""Authentication backends."""

from django.contrib.auth import backends
from django.contrib.auth.models import Group, Permission
from django.db.models import Q


class ModelBackend(backends.ModelBackend):
    """Django's model backend, reading a user's permissions in one query, not two.

    Django asks for the permissions given to the user and those of their groups
    separately; every staff page checks what its user may do, so the two are
    read together here. The answer is the same set, cached on the user object for
    the request as Django caches it.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                given = user_obj.user_permissions.through.objects.filter(
                    **{user_obj.user_permissions.source_field_name: user_obj}
                ).values("permission")
                through_groups = Group.permissions.through.objects.filter(
                    group__user=user_obj
                ).values("permission")
                permissions = Permission.objects.filter(
                    Q(pk__in=given) | Q(pk__in=through_groups)
                )
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                )
            }
        return user_obj._perm_cache
