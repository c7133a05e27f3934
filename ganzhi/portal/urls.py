from django.urls import path

from ganzhi.portal import views

app_name = "portal"
urlpatterns = [
    # owners (phone browser)
    path("", views.home, name="home"),
    path("q/<str:token>/", views.scan, name="scan"),
    path("done/<str:token>/", views.done, name="done"),
    path("t/<str:token>/", views.track, name="track"),
    path("t/<str:token>/urge/", views.track_urge, name="track_urge"),
    path("t/<str:token>/rate/", views.track_rate, name="track_rate"),
    path("orders/<uuid:public_id>/", views.order_detail, name="order"),
    path("orders/<uuid:public_id>/urge/", views.order_urge, name="order_urge"),
    path("orders/<uuid:public_id>/rate/", views.order_rate, name="order_rate"),
    path("report/", views.report, name="report"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    # staff
    path("staff/qr/", views.qr_projects, name="qr_projects"),
    path("staff/qr/<uuid:public_id>/", views.qr_print, name="qr_print"),
    path("staff/qr/<uuid:public_id>/places/", views.qr_places, name="qr_places"),
    path("staff/places/<uuid:public_id>/", views.qr_place_edit, name="qr_place_edit"),
]
