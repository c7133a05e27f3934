from django.contrib import admin

from ganzhi.core.admin import ScopedAdmin
from ganzhi.workorders.models import (
    BusinessCalendar,
    CalendarDay,
    Category,
    FollowUp,
    QRPlace,
    ServiceRecovery,
    SLAPolicy,
    WorkOrder,
    WorkOrderEvent,
)


@admin.register(Category)
class CategoryAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "post", "default_priority", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(ScopedAdmin):
    list_display = [
        "name",
        "order",
        "kind",
        "category",
        "priority",
        "response_minutes",
        "resolve_minutes",
        "clock",
        "is_active",
    ]
    list_editable = ["order", "is_active"]
    list_filter = ["clock", "is_active"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "is_working", "name", "official"]
    readonly_fields = ["official"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ScopedAdmin):
    list_display = ["name", "work_start", "work_end", "weekdays", "is_default"]
    filter_horizontal = ["projects"]
    inlines = [CalendarDayInline]


@admin.register(QRPlace)
class QRPlaceAdmin(ScopedAdmin):
    list_display = ["name", "project", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "project__name"]

    def save_model(self, request, obj, form, change):
        obj.company_id = obj.project.company_id
        super().save_model(request, obj, form, change)


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "type", "actor_label", "from_state", "to_state", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ScopedAdmin):
    """Read-only here: orders change only through the workbench, so every change is audited."""

    list_display = [
        "number",
        "title",
        "project",
        "category",
        "priority",
        "state",
        "resolve_due_at",
        "response_breached",
        "resolve_breached",
    ]
    list_filter = ["state", "kind", "priority", "resolve_breached"]
    search_fields = ["number", "title"]
    list_select_related = ["project", "category"]
    inlines = [EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WorkOrder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdmin):
    list_display = ["order", "due_at", "done_at", "outcome", "rating"]
    readonly_fields = [
        "order",
        "due_at",
        "done_at",
        "done_by",
        "outcome",
        "rating",
        "comment",
        "satisfied",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(ServiceRecovery)
class ServiceRecoveryAdmin(FollowUpAdmin):
    list_display = ["order", "created_at", "goodwill", "recovered"]
    readonly_fields = [
        "order",
        "emotional_measures",
        "root_cause",
        "lesson",
        "prevention",
        "goodwill",
        "goodwill_amount",
        "recovered",
        "created_by",
    ]
