"""Browser import (issue 8): upload GIFT, Aiken or Markdown -> preview with problems, skipped questions
and weight notes -> choose goals -> confirm, stored as a revision with origin "import"; export downloads."""

from __future__ import annotations

import io

import pytest

from app.services import content_store
from tests.support import csrf_token

from . import test_teach_quiz_editor as editor
from .test_teach_quiz_editor import QUIZ_PATH, post, quiz_source, revision_count

world = editor.world

IMPORT = "/teach/lessons/demo-l1/import"
GIFT = """// a teacher's bank from Moodle
::Retentie::Wat is retentie?{=Klanten behouden#Juist. ~Klanten werven#Nee, dat is werven.}

::Voordelen::Welke voordelen hebben loyale klanten?{
~%50%Ze kopen opnieuw#Ja.
~%50%Ze bevelen het bedrijf aan#Ja.
~%-100%Ze kosten meer#Nee.
}

::Essay::Beschrijf loyaliteit in je eigen woorden.{}

::Kapot::Deze vraag heeft een foutief gewicht{=A ~%33%B}
"""


def upload(client, data: bytes, text_format="gift", name="bank.gift", **fields):
    return client.post(IMPORT, data={"csrf_token": csrf_token(client, IMPORT), "format": text_format,
                                     "file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def test_the_preview_lists_new_skipped_and_broken_questions_with_their_lines_and_stores_nothing(world):
    before = revision_count(world)
    response = upload(world.clients["owner"], GIFT.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 questions will be added" in page
    assert "<code>demo-l1-retentie-1</code>" in page and "<code>demo-l1-voordelen-1</code>" in page
    assert "Moodle weights 50/50/-100 become 2 right and 1 wrong option" in page
    assert "1 question skipped" in page and "Line 10" in page and "essay" in page
    assert "1 problem in the file" in page and "Line 12" in page and "nearest is 33.33333%" in page
    assert revision_count(world) == before


def test_confirming_stores_the_valid_questions_as_one_import_revision_with_the_chosen_goal(world):
    owner = world.clients["owner"]
    before = revision_count(world)
    response = post(owner, IMPORT, {"text": GIFT, "format": "gift", "goals": ["demo-l1-g1"],
                                    "message": "uit Moodle", "action": "confirm"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/teach/lessons/demo-l1/questions")
    assert revision_count(world) == before + 1
    source = quiz_source(world)
    assert "## demo-l1-retentie-1\ntype: single\ngoals: demo-l1-g1\n" in source
    assert "## demo-l1-voordelen-1\ntype: multiple\ngoals: demo-l1-g1\n" in source
    assert "Essay" not in source and "foutief gewicht" not in source
    with world.app_context():
        newest = content_store.revisions(QUIZ_PATH)[0]
        assert (newest.origin, newest.message, newest.author_id) == ("import", "uit Moodle", world.user_ids["owner"])
    # the same file again adds nothing
    again = post(owner, IMPORT, {"text": GIFT, "format": "gift", "action": "confirm"})
    assert again.status_code == 400 and "There is nothing new to import." in again.get_data(as_text=True)
    assert revision_count(world) == before + 1


def test_aiken_and_lesmark_markdown_import_too(world):
    aiken = "Wat hoort bij service?\nA. Klantgerichtheid\nB. Kortingen\nANSWER: A\n"
    page = upload(world.clients["owner"], aiken.encode(), "aiken", "bank.txt").get_data(as_text=True)
    assert "1 question will be added" in page and "Wat hoort bij service?" in page
    markdown = ("## nieuw-id\ntype: truefalse\ngoals: demo-l1-g1\n\nKlopt het?\n\n- [x] Waar\n  > Ja.\n"
                "- [ ] Niet waar\n  > Nee.\n")
    page = upload(world.clients["owner"], markdown.encode(), "markdown", "bank.md").get_data(as_text=True)
    assert "<code>nieuw-id</code>" in page


@pytest.mark.parametrize(("data", "fields", "message"), [
    (b"\xff\xfe\x00bad", {}, "The file is not UTF-8 text (line 1)"),
    (b"x" * 300_001, {}, "The file is larger than 300 kB."),
    (GIFT.encode(), {"format": "moodle-xml"}, "Not a valid choice"),
    (GIFT.encode(), {"goals": ["other-l1-g1"]}, "Choose goals of this lesson only"),
])
def test_a_bad_upload_is_a_400_with_the_reason_and_nothing_is_stored(world, data, fields, message):
    before = revision_count(world)
    owner = world.clients["owner"]
    response = owner.post(IMPORT, data={"csrf_token": csrf_token(owner, IMPORT), "format": "gift",
                                        "file": (io.BytesIO(data), "bank.gift"), **fields, "action": "confirm"},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert revision_count(world) == before


def test_no_file_and_no_text_is_a_400(world):
    response = post(world.clients["owner"], IMPORT, {"format": "gift", "text": "  "})
    assert response.status_code == 400 and "Choose a file, or paste the questions" in response.get_data(as_text=True)


def test_import_is_for_the_course_editors_only(world):
    assert world.clients["student"].get(IMPORT).status_code == 403
    assert world.clients["stranger"].get(IMPORT).status_code == 404
    before = revision_count(world)
    response = post(world.clients["stranger"], IMPORT, {"text": GIFT, "format": "gift", "action": "confirm"})
    assert response.status_code == 404 and revision_count(world) == before
    student = world.clients["student"]
    response = student.post(IMPORT, data={"text": GIFT, "format": "gift", "action": "confirm",
                                          "csrf_token": csrf_token(student, "/")})
    assert response.status_code == 403 and revision_count(world) == before


@pytest.mark.parametrize(("text_format", "extension", "expected"), [
    ("gift", "gift", "::demo-l1-q01::"),
    ("aiken", "txt", None),
    ("markdown", "md", "## demo-l1-q01\ntype: truefalse"),
])
def test_the_quiz_bank_downloads_in_each_format(world, text_format, extension, expected):
    response = world.clients["editor"].get(f"/teach/lessons/demo-l1/export/{text_format}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="demo-l1.{extension}"'
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    if expected is None:  # Aiken holds single choice only: the true/false demo-l1-q01 is left out, and said so
        assert "Klopt dit?" not in response.get_data(as_text=True)
        assert int(response.headers["X-Lesmark-Left-Out"]) >= 1
    else:
        assert expected in response.get_data(as_text=True)
    assert world.clients["stranger"].get(f"/teach/lessons/demo-l1/export/{text_format}").status_code == 404
