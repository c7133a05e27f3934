from ninja import NinjaAPI

api = NinjaAPI(title="Ganzhi API", version="1", urls_namespace="api")
