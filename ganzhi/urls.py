from django.contrib import admin
from django.urls import include, path

from ganzhi.api.api import api

urlpatterns = [
    path("", include("ganzhi.core.urls")),
    path("org/", include("ganzhi.org.urls")),
    path("owners/", include("ganzhi.owners.urls")),
    path("p/", include("ganzhi.portal.urls")),
    path("s/", include("ganzhi.surveys.urls_owner")),
    path("workorders/", include("ganzhi.workorders.urls")),
    path("notifications/", include("ganzhi.notifications.urls")),
    path("surveys/", include("ganzhi.surveys.urls")),
    path("dashboards/", include("ganzhi.dashboards.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
