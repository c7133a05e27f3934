from django.contrib import admin

from ganzhi.core.admin import ScopedAdmin
from ganzhi.dashboards.models import Target


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["year", "metric", "value", "region", "project"]
    list_filter = ["year", "metric"]
