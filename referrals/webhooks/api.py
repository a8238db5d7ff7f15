"""`/api/v1/webhooks/` (issue 5 §5): a partner registers, lists and deletes the HTTPS endpoints to which
referral and report events are POSTed; refusals are mapped by minorprot.api.exception_handler."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from referrals.webhooks import services as wh
from referrals.webhooks.models import WebhookEndpoint
from referrals.webhooks.serializers import WebhookEndpointCreatedSerializer, WebhookEndpointSerializer


def _int_pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@extend_schema_view(
    list=extend_schema(summary="A partner's webhook endpoints"),
    destroy=extend_schema(summary="Stop sending to an endpoint"),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """HTTPS endpoints to which referral events are POSTed, signed with HMAC-SHA256 (see README, Webhooks)."""

    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()

    def get_queryset(self):
        return wh.webhook_endpoint_list(user=self.request.user)

    def get_object(self) -> WebhookEndpoint:
        endpoint = self.get_queryset().filter(pk=_int_pk(self.kwargs["pk"])).first()
        if endpoint is None:
            raise Http404
        return endpoint

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        summary="Register an HTTPS endpoint; the signing secret is shown once",
    )
    def create(self, request, *args, **kwargs):
        serializer = WebhookEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = wh.webhook_endpoint_create(actor=request.user, url=serializer.validated_data["url"])
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        wh.webhook_endpoint_delete(actor=self.request.user, endpoint=instance)


def register_routes(router) -> None:
    router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
