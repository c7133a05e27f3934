from django.urls import path

from ganzhi.workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.create, name="create"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("followups/", views.followups, name="followups"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/transition/", views.transition, name="transition"),
    path("<uuid:public_id>/comment/", views.comment, name="comment"),
    path("<uuid:public_id>/attach/", views.attach, name="attach"),
    path("<uuid:public_id>/followup/", views.followup, name="followup"),
    path("<uuid:public_id>/checklist/", views.checklist, name="checklist"),
    path("<uuid:public_id>/recovery/", views.recovery, name="recovery"),
    path("<uuid:public_id>/files/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
