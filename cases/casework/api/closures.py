"""API of closing requests and their approval (domain.md §4)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.casework import services as cw
from cases.casework.api.base import ScopedObjectMixin
from cases.casework.selectors import (
    closure_list,
)
from cases.casework.serializers.base import DecisionSerializer
from cases.casework.serializers.closures import CaseClosureSerializer
from cases.models import (
    CaseClosure,
)

# --- closing requests ---------------------------------------------------------------------------------------------


class ClosureFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=CaseClosure.Status.choices)

    class Meta:
        model = CaseClosure
        fields = ["case", "status"]


class ClosureViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests to close a case (POST /cases/{id}/request-closure/) and their approval."""

    serializer_class = CaseClosureSerializer
    filterset_class = ClosureFilter
    queryset = CaseClosure.objects.none()

    def get_queryset(self):
        return closure_list(user=self.request.user)

    def fetch(self, pk: int) -> CaseClosure:
        closure = closure_list(user=self.request.user).filter(pk=pk).first()
        if closure is None:
            raise Http404
        return closure

    @extend_schema(request=DecisionSerializer, responses={200: CaseClosureSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The town leader or the office head approves (the case closes) or returns it with a reason.
        Nobody approves their own request."""
        closure = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.case_decide_closure(
            actor=request.user,
            closure=closure,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(self.fetch(closure.pk)).data)
