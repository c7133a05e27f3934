from django.contrib.auth.backends import ModelBackend

from ganzhi.core.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Password authentication plus permissions derived from the user's role.

    Superusers keep every permission (ModelBackend handles that); explicit
    per-user or group permissions still work for exceptions.
    """

    def get_group_permissions(self, user_obj, obj=None):
        perms = set(super().get_group_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous:
            perms |= ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset())
        return perms
