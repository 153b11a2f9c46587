"""Catalogue, lesson overview and the slide viewer."""

from sqlalchemy import select

from app.extensions import db
from app.models import Lesson, Screen

from ..support import csrf_token
from .helpers import LESSON, first_question_screen, lesson_row


def test_the_catalogue_lists_the_dutch_course_for_everyone(client):
    page = client.get("/").get_data(as_text=True)
    assert "Klantrelaties en service" in page and 'lang="nl"' in page


def test_the_course_page_lists_its_lessons(client):
    page = client.get("/courses/nl-klantrelaties/").get_data(as_text=True)
    assert "Relatiemarketing en klantloyaliteit" in page


def test_the_lesson_overview_shows_goals_minutes_and_a_start_button(client, student):
    response = client.get(f"/lessons/{LESSON}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "About 45 minutes" in page and "Start the lesson" in page
    assert page.count('class="goal-row"') == 5 and "0 of 5 learning goals mastered" in page
    assert "Not started" in page


def test_a_slide_shows_the_counter_progress_and_navigation(app, client, student):
    total = lesson_row(app).screen_count
    page = client.get(f"/lessons/{LESSON}/slides/2").get_data(as_text=True)
    assert f"Slide 2 of {total}" in page
    assert f'<progress max="{total}" value="2"' in page
    assert f'rel="prev" href="/lessons/{LESSON}/slides/1"' in page
    assert f'rel="next" href="/lessons/{LESSON}/slides/3"' in page
    assert 'lang="nl"' in page


def test_the_last_slide_leads_to_the_final_quiz(app, client, student):
    total = lesson_row(app).screen_count
    page = client.get(f"/lessons/{LESSON}/slides/{total}").get_data(as_text=True)
    assert f'rel="next" href="/lessons/{LESSON}/quiz"' in page


def test_speaker_notes_are_never_shown_to_students(app, client, student):
    with app.app_context():
        screen = db.session.scalar(select(Screen).join(Lesson).where(Lesson.slug == LESSON, Screen.notes_html != "")
                                   .order_by(Screen.position))
        position, notes = screen.position, screen.notes_html
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert notes not in page


def test_slides_outside_the_lesson_are_404(app, client, student):
    total = lesson_row(app).screen_count
    for path in (f"/lessons/{LESSON}/slides/0", f"/lessons/{LESSON}/slides/{total + 1}",
                 f"/lessons/{LESSON}/slides/abc", "/lessons/no-such-lesson/slides/1",
                 f"/lessons/{LESSON}/slides/99999999999999999999", "/courses/nope/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This page does not exist" in response.get_data(as_text=True)


def test_the_student_resumes_where_they_left_off(client, student):
    client.get(f"/lessons/{LESSON}/slides/7")
    response = client.get(f"/lessons/{LESSON}/resume")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lessons/{LESSON}/slides/7")
    assert "Continue where you left off (slide 7)" in client.get(f"/lessons/{LESSON}/").get_data(as_text=True)


def test_resume_without_history_starts_at_slide_one(client, student):
    response = client.get(f"/lessons/{LESSON}/resume")
    assert response.headers["Location"].endswith(f"/lessons/{LESSON}/slides/1")


def test_an_unanswered_question_slide_contains_no_key_and_no_feedback(app, client, student):
    position, version = first_question_screen(app)
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert "Check answer" in page
    for option in version.options:
        assert option["html"] in page
        assert option["feedback_html"] not in page
    assert "Right answer" not in page and "is-correct" not in page


def test_the_glossary_page_lists_terms_with_anchors(client):
    page = client.get("/courses/nl-klantrelaties/glossary").get_data(as_text=True)
    assert 'id="term-relatiemarketing"' in page and "relationship marketing" in page


def test_the_language_switcher_changes_the_interface_language(client):
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "language": "nl", "next": "/"})
    assert response.status_code == 303
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)


def test_the_language_switcher_refuses_unknown_languages_and_foreign_redirects(client):
    token = csrf_token(client, "/")
    assert client.post("/language", data={"csrf_token": token, "language": "xx"}).status_code == 400
    response = client.post("/language", data={"csrf_token": token, "language": "fi", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
