from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ganzhi.core.admin import ScopedAdmin, ScopedInline
from ganzhi.core.personal_data import can_see_personal_data, mask_id_number, mask_phone
from ganzhi.owners.models import Household, HouseholdMember, ImportJob, Owner

PERSONAL_FIELDS = ("phone", "id_number")


class MemberInline(ScopedInline):
    model = HouseholdMember
    raw_id_fields = ["owner"]


@admin.register(Owner)
class OwnerAdmin(ScopedAdmin):
    list_display = ["name", "masked_phone", "value_type", "communication_style", "trust_level"]
    list_filter = ["value_type", "communication_style", "trust_level", "elderly_alone"]
    search_fields = ["name"]
    exclude = ["user"]

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        if not can_see_personal_data(request.user):
            excluded = [*excluded, *PERSONAL_FIELDS]
        return excluded

    def get_readonly_fields(self, request, obj=None):
        if can_see_personal_data(request.user):
            return super().get_readonly_fields(request, obj)
        return ["masked_phone", "masked_id_number"]

    def get_search_fields(self, request):
        if can_see_personal_data(request.user):
            return ["name", "phone"]
        return ["name"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["__str__", "project", "move_in_date", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["unit__number", "project__name"]
    list_select_related = ["unit__building", "project"]
    raw_id_fields = ["unit"]
    exclude = ["project"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        obj.company_id = obj.unit.company_id
        obj.project_id = obj.unit.project_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for member in formset.save(commit=False):
            member.company_id = form.instance.company_id
            member.save()
        for deleted in formset.deleted_objects:
            deleted.delete()


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ["original_name", "project", "status", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
