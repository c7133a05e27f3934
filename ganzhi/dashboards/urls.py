from django.urls import path

from ganzhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="overview"),
    path("responses/", views.responses, name="responses"),
    path("<slug:page>/", views.dashboard, name="page"),
]
