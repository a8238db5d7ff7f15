"""API wiring shared by every app: pagination, the v1 router and the one mapping of service errors to HTTP."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import exception_handler as standardized_exception_handler
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import DefaultRouter

from tiers.errors import ActionNotAllowed


def exception_handler(exc, context):
    """Service errors as API errors, in one place (tiers/errors.py): a Django ValidationError becomes
    field errors with its codes (400), ActionNotAllowed a 403 with its message; then the standard
    error format ({"type", "errors": [{"code", "detail", "attr"}]})."""
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, ActionNotAllowed):
        exc = exceptions.PermissionDenied(exc.args[0] if exc.args else None)
    return standardized_exception_handler(exc, context)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


router = DefaultRouter()
