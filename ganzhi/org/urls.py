from django.urls import path

from ganzhi.org import views

app_name = "org"
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/<uuid:public_id>/", views.project_detail, name="project_detail"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<uuid:public_id>/", views.unit_detail, name="unit_detail"),
]
