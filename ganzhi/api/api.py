"""The JSON API, /api/v1/. Errors always answer ``{"code", "message", "details"}``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from ganzhi.api.services import token_user
from ganzhi.core.errors import DomainError


class BearerToken(HttpBearer):
    openapi_description = "Authorization: Bearer <token from POST /api/v1/auth/token>"

    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Ganzhi API",
    version="1",
    description="感知 · 业主体验管理平台 API",
    urls_namespace="api",
    auth=BearerToken(),
)


def error(request, status: int, code: str, message: str, details=None):
    return api.create_response(
        request, {"code": code, "message": str(message), "details": details}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return error(request, 422, "invalid", _("The request data is not valid."), exc.errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error(
        request,
        401,
        "unauthenticated",
        _("Send a valid token: Authorization: Bearer <token>."),
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", _("You do not have permission to do this."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.status_code, "http_error", str(exc))


from ganzhi.api import (  # noqa: E402  (routers register on `api`)
    auth,
    org,
    owners,
    surveys,
    surveys_campaigns,
    surveys_quality,
    workorders,
)

api.add_router("/auth", auth.router)
api.add_router("/", org.router)
api.add_router("/", owners.router)
api.add_router("/", workorders.router)
api.add_router("/", surveys.router)
api.add_router("/", surveys_campaigns.router)
api.add_router("/", surveys_quality.router)
