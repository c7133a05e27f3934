"""Public survey pages for owners, mounted at /s/ (``path("s/", include(...))``)."""

from django.urls import path

from ganzhi.surveys import views_owner

app_name = "surveys_owner"
urlpatterns = [
    path("thanks/", views_owner.thanks, name="thanks"),
    path("<str:token>/", views_owner.answer, name="answer"),
    path("<str:token>/save/", views_owner.save, name="save"),
]
