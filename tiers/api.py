"""REST API v1 for the administrative tree and authentication."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tiers.models import ApiToken, Region
from tiers.roles import Level
from tiers.selectors import region_list, user_posts
from tiers.serializers import MeSerializer, RegionSerializer, TokenObtainSerializer, TokenSerializer
from tiers.services import token_issue


class TokenObtainView(APIView):
    """POST a username and password, receive an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenObtainSerializer,
        responses={200: TokenSerializer},
        auth=[],
        summary="Exchange a username and password for an API token",
        description="Tokens obtained this way expire after API_LOGIN_TOKEN_TTL_DAYS (30 by default). "
        "Send the key as `Authorization: Token <key>`.",
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = token_issue(
            user=serializer.validated_data["user"], name="password login", origin=ApiToken.Origin.LOGIN
        )
        return Response({"token": key, "expires_at": token.expires_at})


class MeView(APIView):
    """The caller and their posts (region and role), so a client knows its reach."""

    @extend_schema(responses={200: MeSerializer}, summary="The caller and their posts")
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "display_name": user.get_full_name() or user.get_username(),
                    "posts": user_posts(user),
                }
            ).data
        )


token_obtain = TokenObtainView.as_view()
me = MeView.as_view()


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.NumberFilter(field_name="parent_id")
    code = django_filters.CharFilter(field_name="code")
    within = django_filters.NumberFilter(method="filter_within", label=_("某区划及其下级（区划ID）"))

    class Meta:
        model = Region
        fields = ["level", "parent", "code", "within"]

    def filter_within(self, queryset, name, value):
        ancestor = Region.objects.filter(pk=value).first()
        if ancestor is None:
            return queryset.none()
        return queryset.filter(path__startswith=ancestor.path)


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The units of the administrative tree in the caller's reach (their subtrees)."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    queryset = Region.objects.none()

    def get_queryset(self):
        return region_list(user=self.request.user)


def register_routes(router) -> None:
    router.register("regions", RegionViewSet, basename="region")
