"""Admin for the indicator library and questionnaires: scoped, and read-only where a
change must go through a service (weights are validated and locked versions copied by
``library_edit``; publishing locks the library through ``questionnaire_publish``).

Campaigns, responses, imports and call-backs register their admins below their own
section marker.
"""

from django.contrib import admin

from ganzhi.core.admin import ScopedAdmin
from ganzhi.surveys.models import IndicatorLibrary, IndicatorNode, Question, Questionnaire

# --- indicator library, questionnaires -----------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IndicatorNodeInline(ReadOnlyInline):
    model = IndicatorNode
    fk_name = "library"
    fields = ["code", "level", "post", "dimension", "text", "weight", "sort_order"]
    readonly_fields = fields
    ordering = ["sort_order", "id"]


@admin.register(IndicatorLibrary)
class IndicatorLibraryAdmin(ScopedAdmin):
    """Browse versions; edit wording and weights on the library page (validated, versioned)."""

    list_display = ["name", "version", "based_on", "is_locked", "created_at"]
    list_filter = ["is_locked"]
    search_fields = ["name"]
    readonly_fields = ["name", "version", "based_on", "is_locked", "created_by", "created_at"]
    inlines = [IndicatorNodeInline]

    def has_add_permission(self, request):
        return False


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ["sort_order", "code", "type", "role", "text", "indicator", "scale_min", "scale_max"]
    readonly_fields = fields
    ordering = ["sort_order", "id"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(ScopedAdmin):
    list_display = ["name", "kind", "status", "library", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    readonly_fields = ["kind", "status", "library", "created_at"]
    filter_horizontal = ["workorder_categories"]
    inlines = [QuestionInline]

    def has_add_permission(self, request):
        return False  # built from a library on the questionnaire pages


# --- campaigns, invitations (B) --------------------------------------------------------------

# --- responses, imports, quality, call-backs (C) ---------------------------------------------
