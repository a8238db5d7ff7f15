"""REST API v1 for referrals (issue 5 §5).

`/api/v1/referrals/`: a partner department lists and reads the referrals addressed to it (filters
`status`, `updated_since`) and acts on them (`accept`, `reject`, `updates`, `feedback`); town staff draft,
`send`, `close`, `revoke` and `reroute` them. Querysets come from referrals.referrals.selectors, so anything else is
absent from lists and answers 404; every read is in the access log. Refusals of a visible referral
answer 403, illegal steps 400 with coded field errors (minorprot.api.exception_handler maps the services'
errors).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.casework.selectors import case_get
from referrals.referrals.models import Referral
from referrals.referrals.selectors import (
    ReferralFilters,
    partner_organisation_ids,
    referral_get,
    referral_list,
    referral_updates,
)
from referrals.referrals.serializers import (
    NoteSerializer,
    ReasonSerializer,
    ReferralCreateSerializer,
    ReferralEventSerializer,
    ReferralListQuerySerializer,
    ReferralSerializer,
    RequiredNoteSerializer,
    RerouteSerializer,
    TownReferralSerializer,
)
from referrals.referrals.services import lifecycle as rl
from tiers.selectors import organisation_list


def _int_pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _not_found(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(_("对象不存在。"), code="does_not_exist")]})


@extend_schema_view(
    list=extend_schema(
        parameters=[ReferralListQuerySerializer],
        summary="Referrals: a partner's own, or those of the children in a town officer's area",
    ),
    retrieve=extend_schema(summary="One referral (the partner view of the child: name, gender, age, village)"),
)
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals (转介) to partner departments."""

    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()

    def _serializer_class_for_user(self):
        return ReferralSerializer if partner_organisation_ids(self.request.user) else TownReferralSerializer

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return ReferralSerializer
        return self._serializer_class_for_user()

    def get_queryset(self):
        query = ReferralListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return referral_list(
            user=self.request.user,
            filters=ReferralFilters(
                status=params.get("status", ""),
                updated_since=params.get("updated_since"),
                case_id=params.get("case"),
            ),
        )

    def get_object(self) -> Referral:
        return referral_get(user=self.request.user, pk=_int_pk(self.kwargs["pk"]))

    def _respond(self, referral: Referral, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = referral_get(user=self.request.user, pk=referral.pk)
        return Response(self._serializer_class_for_user()(fresh).data, status=status_code)

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = self._serializer_class_for_user()(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        return Response(self._serializer_class_for_user()(referral).data)

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: TownReferralSerializer},
        summary="Town staff: draft a referral of an open case",
    )
    def create(self, request, *args, **kwargs):
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            case = case_get(user=request.user, pk=data["case"])
        except Http404:
            raise _not_found("case") from None
        organisation = organisation_list(user=request.user).filter(pk=data["organisation"]).first()
        if organisation is None:
            raise _not_found("organisation")
        referral = rl.referral_create(
            actor=request.user,
            case=case,
            organisation=organisation,
            reason=data["reason"],
            priority=data["priority"],
            town_contact=data["town_contact"],
        )
        return self._respond(referral, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TownReferralSerializer}, summary="Town staff: send a draft")
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._respond(rl.referral_send(actor=request.user, referral=self.get_object()))

    @extend_schema(request=NoteSerializer, responses={200: ReferralSerializer}, summary="Partner: accept")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = rl.referral_accept(actor=request.user, referral=self.get_object(), **serializer.validated_data)
        return self._respond(referral)

    @extend_schema(
        request=ReasonSerializer, responses={200: ReferralSerializer}, summary="Partner: reject (reason required)"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = rl.referral_reject(actor=request.user, referral=self.get_object(), **serializer.validated_data)
        return self._respond(referral)

    @extend_schema(
        methods=["GET"], request=None, responses={200: ReferralEventSerializer(many=True)}, summary="Progress notes"
    )
    @extend_schema(
        methods=["POST"],
        request=RequiredNoteSerializer,
        responses={201: ReferralEventSerializer},
        summary="Partner: add a progress note (the referral is then in progress)",
    )
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        referral = self.get_object()
        if request.method == "GET":
            return Response(ReferralEventSerializer(referral_updates(referral=referral), many=True).data)
        serializer = RequiredNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = rl.referral_add_update(actor=request.user, referral=referral, **serializer.validated_data)
        return Response(ReferralEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RequiredNoteSerializer, responses={200: ReferralSerializer}, summary="Partner: give feedback"
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        serializer = RequiredNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = rl.referral_feedback(actor=request.user, referral=self.get_object(), **serializer.validated_data)
        return self._respond(referral)

    @extend_schema(request=NoteSerializer, responses={200: TownReferralSerializer}, summary="Town staff: close")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = rl.referral_close(actor=request.user, referral=self.get_object(), **serializer.validated_data)
        return self._respond(referral)

    @extend_schema(
        request=NoteSerializer,
        responses={200: TownReferralSerializer},
        summary="Town staff: revoke (the partner loses access at once)",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = rl.referral_revoke(
            actor=request.user, referral=self.get_object(), reason=serializer.validated_data["note"]
        )
        return self._respond(referral)

    @extend_schema(
        request=RerouteSerializer,
        responses={201: TownReferralSerializer},
        summary="Town staff: re-route a rejected referral as a new draft to another department",
    )
    @action(detail=True, methods=["post"])
    def reroute(self, request, pk=None):
        referral = self.get_object()
        serializer = RerouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = organisation_list(user=request.user).filter(pk=data["organisation"]).first()
        if organisation is None:
            raise _not_found("organisation")
        new = rl.referral_reroute(
            actor=request.user,
            referral=referral,
            organisation=organisation,
            reason=data["reason"],
            priority=data.get("priority", ""),
        )
        return self._respond(new, status.HTTP_201_CREATED)


def register_routes(router) -> None:
    router.register("referrals", ReferralViewSet, basename="referral")
