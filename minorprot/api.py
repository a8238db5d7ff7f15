"""API wiring shared by every app: pagination and the v1 router."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import DefaultRouter


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


router = DefaultRouter()
