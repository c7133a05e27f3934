"""The base for every admin in Ganzhi: scoped through ganzhi.core.scoping.

Lists, change pages and foreign-key choices show only what the user may see;
objects outside the scope answer 404 (Django's admin redirects with "does not
exist"), and new rows get the user's company.
"""

from django.contrib import admin

from ganzhi.core.roles import ADMIN_ROLES
from ganzhi.core.scoping import scope_for, visible


def may_use_admin(user) -> bool:
    return user.is_active and user.is_staff and (user.is_superuser or user.role in ADMIN_ROLES)


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return may_use_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return may_use_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request.user) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = visible(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = visible(field.queryset, request.user)
        return field

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not scope_for(request.user).everything and _has_field(self.model, "company"):
            excluded.append("company")
        return excluded

    def save_model(self, request, obj, form, change):
        if not change and _has_field(obj, "company") and not obj.company_id:
            obj.company_id = request.user.company_id
        super().save_model(request, obj, form, change)


class ScopedInline(admin.TabularInline):
    extra = 0

    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = visible(field.queryset, request.user)
        return field

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if _has_field(self.model, "company"):
            excluded.append("company")
        return excluded


def _has_field(model_or_obj, name: str) -> bool:
    return any(f.name == name for f in model_or_obj._meta.get_fields())
