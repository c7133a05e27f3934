from django.urls import path

from ganzhi.owners import views

app_name = "owners"
urlpatterns = [
    path("", views.owner_list, name="owner_list"),
    path("<uuid:public_id>/", views.owner_detail, name="owner_detail"),
    path("import/", views.import_start, name="import"),
    path("import/<uuid:public_id>/", views.import_detail, name="import_detail"),
]
