"""Visit photos are personal data: served only to those who may see the child, and logged."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import AccessLog
from screening.models import VisitPhoto
from screening.visits.services.visits import visit_log


@pytest.fixture
def photo(child_director, minor_a1):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    upload = SimpleUploadedFile("room.png", buffer.getvalue(), content_type="image/png")
    visit_log(actor=child_director, minor=minor_a1, kind="HOME", photos=[upload])
    return VisitPhoto.objects.get()


def test_a_photo_is_shown_to_staff_of_the_childs_village_and_logged(client, child_director, photo, minor_a1):
    client.force_login(child_director)
    response = client.get(f"/visits/photos/{photo.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.filter(minor=minor_a1, detail={"visit_photo": photo.pk}).count() == 1


@pytest.mark.parametrize("persona", ["neighbour_director", "outsider"])
def test_a_photo_of_another_areas_child_is_not_found(request, client, persona, photo):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/visits/photos/{photo.pk}/").status_code == 404


def test_the_api_links_photos_to_the_checked_page_not_to_a_public_url(api_client_for, child_director, photo):
    row = api_client_for(child_director).get("/api/v1/visits/").json()["results"][0]
    assert row["photo_urls"] == [f"http://testserver/visits/photos/{photo.pk}/"]
