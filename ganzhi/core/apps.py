from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ganzhi.core"
    label = "core"
