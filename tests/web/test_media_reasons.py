"""Why an upload was refused is said in the page's language; `flask content check` keeps English.

The content layer refuses with a reason code and parameters; the web layer has one translatable
sentence per code. Refused uploads store nothing, so these tests share the app with real content."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.content import media as content_media
from app.content.media import REASONS, MediaError, clean_media
from app.services import authoring
from app.services.media import BAD_NAME
from app.views.media_reasons import REFUSAL_REASONS, refusal_reason
from tests.unit.test_media import png, svg

from ..conftest import PASSWORD, new_user
from ..support import csrf_token, login

LESSON = "nl-l1"


@pytest.fixture()
def owner(app):
    """A teacher who owns the Dutch course, logged in, with Dutch as the page language."""
    user_id, name = new_user(app, "teacher")
    with app.app_context():
        authoring.add_member("nl-klantrelaties", name, authoring.OWNER)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    assert login(client, name, PASSWORD).status_code == 303
    return client


def upload(client, data: bytes, filename: str):
    return client.post(f"/teach/lessons/{LESSON}/media", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/teach/"), "image": (io.BytesIO(data), filename)})


def test_a_refused_svg_is_explained_in_dutch(owner):
    response = upload(owner, svg(b'<rect width="1" height="1" onclick="alert(1)"/>'), "logo.svg")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("De afbeelding is niet opgeslagen: de SVG heeft een event handler (onclick op &lt;rect&gt;), "
            "en dat is niet toegestaan") in page
    assert "which is not allowed" not in page


def test_a_refused_raster_image_is_explained_in_dutch(owner):
    response = upload(owner, png(size=(64, 64))[:80], "foto.png")  # cut off in the middle
    assert response.status_code == 400
    assert "de afbeelding is beschadigd en kan niet worden gelezen" in response.get_data(as_text=True)


def test_numbers_in_a_reason_are_written_the_dutch_way(app):
    with app.test_request_context(), force_locale("nl"):
        reason = refusal_reason("too_many_pixels", {"width": 20000, "height": 100, "megapixels": 16, "side": 10000})
    assert reason == ("de afbeelding is te groot (20.000 x 100 pixels; hoogstens 16 miljoen pixels en "
                      "10.000 pixels per zijde)")


def test_the_content_checker_keeps_the_english_sentence():
    with pytest.raises(MediaError) as refused:
        clean_media(svg(b'<rect width="1" height="1" onclick="alert(1)"/>'))
    assert refused.value.code == "svg_event_handler"
    assert refused.value.params == {"attribute": "onclick", "element": "rect"}
    assert str(refused.value) == "the SVG has an event handler (onclick on <rect>), which is not allowed"


def test_every_reason_of_the_content_layer_has_the_same_sentence_in_the_web_layer(app):
    assert set(REFUSAL_REASONS) == {*REASONS, BAD_NAME}
    with app.test_request_context(), force_locale("en"):
        for code, english in REASONS.items():
            names = re.findall(r"\{(\w+)\}", english)
            params = {name: f"<{name}>" for name in names}
            assert refusal_reason(code, params) == english.format(**params), code


def test_every_code_the_content_layer_raises_is_a_known_reason():
    source = Path(content_media.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'(?:MediaError|refuse)\("(\w+)"', source))
    raised |= set(re.findall(r'else "(\w+)"', source)) | set(content_media.REFUSED_ELEMENTS.values())
    assert raised == set(REASONS)
