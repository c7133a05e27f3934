from django.urls import path

from ganzhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="overview"),
    path("responses/", views.responses, name="responses"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<uuid:public_id>/<str:kind>/", views.report_file, name="report_file"),
    path("<slug:page>/", views.dashboard, name="page"),
]
