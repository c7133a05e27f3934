from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from ganzhi.core.admin import ScopedAdmin
from ganzhi.org.models import Building, Company, Post, Project, Region, Staff, Unit, User

admin.site.site_header = _("Ganzhi administration")
admin.site.site_title = _("Ganzhi")
admin.site.index_title = _("Registry and settings")


@admin.register(Company)
class CompanyAdmin(ScopedAdmin):
    list_display = ["name", "code", "created_at"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["name", "code", "region", "city", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["name", "code", "city"]
    list_select_related = ["region"]


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ["name", "project", "floors"]
    search_fields = ["name", "project__name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]

    def save_model(self, request, obj, form, change):
        obj.company_id = obj.project.company_id
        super().save_model(request, obj, form, change)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["__str__", "project", "floor", "area", "type", "status"]
    list_filter = ["type", "status"]
    search_fields = ["number", "building__name", "project__name"]
    list_select_related = ["project", "building"]
    autocomplete_fields = ["building"]
    exclude = ["project"]

    def save_model(self, request, obj, form, change):
        obj.company_id = obj.building.company_id
        obj.project_id = obj.building.project_id
        super().save_model(request, obj, form, change)


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    list_display = ["name", "code", "sort_order"]


@admin.register(Staff)
class StaffAdmin(ScopedAdmin):
    list_display = ["name", "employee_no", "post", "supervisor", "is_active"]
    list_filter = ["post", "is_active"]
    search_fields = ["name", "employee_no"]
    list_select_related = ["post", "supervisor"]
    filter_horizontal = ["projects", "regions"]
    raw_id_fields = ["supervisor", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users are managed by operators (superusers) only."""

    list_display = ["username", "get_full_name", "company", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active", "company"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Ganzhi"), {"fields": ("company", "role")}),
    )

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
