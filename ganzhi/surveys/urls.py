"""Survey pages under /surveys/ (namespace ``surveys``).

Each developer's pages live in their own view module; add them in your own section
below so the sections can be edited side by side without conflicts.
"""

from django.urls import path

from ganzhi.surveys import views

app_name = "surveys"

# --- indicator library, questionnaires, scores (ganzhi.surveys.views) ---------------------
urlpatterns = [
    path("", views.library_list, name="index"),
    path("library/", views.library_list, name="library_list"),
    path("library/default/", views.library_create_default, name="library_create_default"),
    path("library/<uuid:public_id>/", views.library_detail, name="library_detail"),
    path("library/<uuid:public_id>/edit/", views.library_edit, name="library_edit"),
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path(
        "questionnaires/<uuid:public_id>/",
        views.questionnaire_detail,
        name="questionnaire_detail",
    ),
    path(
        "questionnaires/<uuid:public_id>/publish/",
        views.questionnaire_publish,
        name="questionnaire_publish",
    ),
    path("scores/", views.scores, name="scores"),
]

# --- campaigns, sampling, invitations, answering (B) --------------------------------------
# (the owners' answering pages are public, under /s/: ganzhi.surveys.urls_owner)
from ganzhi.surveys import views_campaigns as vc  # noqa: E402

_wave = "campaigns/<uuid:public_id>/"
urlpatterns += [
    path("campaigns/", vc.campaign_list, name="campaign_list"),
    path("campaigns/new/", vc.campaign_create, name="campaign_create"),
    path(_wave, vc.campaign_detail, name="campaign_detail"),
    path(_wave + "progress/", vc.campaign_progress, name="campaign_progress"),
    path(_wave + "issue/", vc.campaign_issue, name="campaign_issue"),
    path(_wave + "remind/", vc.campaign_remind, name="campaign_remind"),
    path(_wave + "close/", vc.campaign_close, name="campaign_close"),
    path(_wave + "weights/", vc.campaign_weights, name="campaign_weights"),
    path(_wave + "export/", vc.campaign_export, name="campaign_export"),
    path(_wave + "qr/", vc.campaign_qr, name="campaign_qr"),
]

# --- imports, quality review, call-backs (C) ----------------------------------------------
from ganzhi.surveys import views_callbacks, views_imports, views_quality  # noqa: E402

urlpatterns += [
    path("quality/", views_quality.review_list, name="quality_list"),
    path("quality/<uuid:public_id>/review/", views_quality.review, name="quality_review"),
    path("callbacks/", views_callbacks.queue, name="callback_queue"),
    path("callbacks/<uuid:public_id>/record/", views_callbacks.record, name="callback_record"),
    path("imports/", views_imports.start, name="import_start"),
    path("imports/<uuid:public_id>/", views_imports.detail, name="import_detail"),
    path("imports/<uuid:public_id>/mapping/", views_imports.mapping, name="import_mapping"),
]
