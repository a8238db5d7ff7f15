"""The tree answers for itself (tiers.models.Region) and service errors map to HTTP in one place
(minorprot.api.exception_handler; tiers/errors.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from minorprot.api import exception_handler
from tiers.errors import ActionNotAllowed
from tiers.models import Region


def test_a_grid_knows_its_town_county_and_ancestors(tree):
    grid = tree.grid_a1

    assert grid.county_path == tree.county.path
    assert grid.town_path == tree.town_a.path
    assert grid.ancestor_paths[0] == tree.county.path
    assert tree.town_a.path in grid.ancestor_paths
    assert grid.path not in grid.ancestor_paths
    assert grid.town() == tree.town_a and grid.county() == tree.county
    assert tree.county.town() is None and tree.county.town_path is None


def test_a_subtree_filter_holds_the_unit_and_what_lies_below(tree):
    inside = Region.objects.filter(tree.town_a.subtree(field="path"))

    assert tree.village_a1 in inside and tree.town_a in inside
    assert tree.village_b1 not in inside and tree.county not in inside


def _handle(exc):
    request = APIRequestFactory().post("/api/v1/x/")
    return exception_handler(exc, {"view": APIView(), "request": request})


def test_a_refused_action_is_a_403_with_its_reason():
    response = _handle(ActionNotAllowed("您的岗位无权修改该档案。"))

    assert response.status_code == 403
    assert response.data["errors"][0]["detail"] == "您的岗位无权修改该档案。"


def test_a_services_validation_error_is_a_field_error_with_its_code():
    response = _handle(ValidationError({"reason": ValidationError("请填写理由。", code="required")}))

    assert response.status_code == 400
    assert response.data["type"] == "validation_error"
    assert response.data["errors"] == [{"code": "required", "detail": "请填写理由。", "attr": "reason"}]
