
app_name = "owners"
urlpatterns: list = []
