"""The presenter view and the audience window: what a teacher and the class see, and what students
may never open (speaker notes, answer keys)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Lesson, LessonProgress, Screen, utcnow

from ..conftest import PASSWORD, new_user
from ..support import csrf_token, login
from .helpers import LESSON, first_question_screen, lesson_row, shown_order

NOTES_SLIDE = 3  # nl-l1 "Relatiemarketing": its notes tell the bicycle-repairer example
NOTES_WORDS = "fietsenmaker"


@pytest.fixture()
def teacher(app, client):
    _user_id, name = new_user(app, "teacher")
    assert login(client, name, PASSWORD).status_code == 303
    return name


def screen_at(app, position: int) -> Screen:
    with app.app_context():
        screen = db.session.scalar(select(Screen).join(Lesson).where(Lesson.slug == LESSON, Screen.position == position))
        db.session.expunge(screen)
        return screen


def test_the_presenter_shows_the_slide_its_notes_the_next_slide_and_the_audience_link(app, client, teacher):
    following = screen_at(app, NOTES_SLIDE + 1)
    total = lesson_row(app).screen_count
    response = client.get(f"/present/{LESSON}/{NOTES_SLIDE}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Relatiemarketing</h1>" in page or "<h2>Relatiemarketing</h2>" in page
    assert NOTES_WORDS in page
    assert f"Next slide: <span lang=\"nl\">{following.title}</span>" in page
    assert f'href="/present/{LESSON}/{NOTES_SLIDE}/audience" target="lesmark-audience" data-audience-window' in page
    assert f'rel="prev" href="/present/{LESSON}/{NOTES_SLIDE - 1}"' in page
    assert f'rel="next" href="/present/{LESSON}/{NOTES_SLIDE + 1}"' in page
    assert f"Slide {NOTES_SLIDE} of {total}" in page
    assert "data-elapsed" in page and "Elapsed time" in page


def test_the_audience_window_shows_the_slide_without_notes_or_teacher_tools(client, teacher):
    response = client.get(f"/present/{LESSON}/{NOTES_SLIDE}/audience")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Relatiemarketing</h" in page
    assert NOTES_WORDS not in page and "Speaker notes" not in page
    assert "data-audience-window" not in page and "Next slide" not in page
    assert f'rel="next" href="/present/{LESSON}/{NOTES_SLIDE + 1}/audience"' in page


def test_a_checkpoint_is_presented_without_its_key_until_the_teacher_reveals_it(app, client, teacher):
    position, version = first_question_screen(app)
    right = [option["html"] for option in version.options if option["correct"]]
    presenter = client.get(f"/present/{LESSON}/{position}").get_data(as_text=True)
    # the key waits behind a closed disclosure; the options themselves carry no mark
    key_part = presenter.split('<details class="answer-key"', 1)[1]
    options_part = presenter.split('<details class="answer-key"', 1)[0]
    assert "<details class=\"answer-key\" lang=\"en\">" in presenter  # closed: no "open" attribute
    assert "Right answer" in key_part and all(html in key_part for html in right)
    assert "is-correct" not in options_part and "Right answer" not in options_part
    audience = client.get(f"/present/{LESSON}/{position}/audience").get_data(as_text=True)
    assert "Right answer" not in audience and "is-correct" not in audience and "answer-key" not in audience
    revealed = client.get(f"/present/{LESSON}/{position}/audience?key=1").get_data(as_text=True)
    assert revealed.count('class="is-correct"') == len(right)
    assert revealed.count("Right answer") == len(right)


def test_the_last_slide_says_so_and_offers_no_next_slide(app, client, teacher):
    total = lesson_row(app).screen_count
    page = client.get(f"/present/{LESSON}/{total}").get_data(as_text=True)
    assert "This is the last slide." in page
    assert 'rel="next"' not in page


@pytest.mark.parametrize("path", [f"/present/{LESSON}/{NOTES_SLIDE}", f"/present/{LESSON}/{NOTES_SLIDE}/audience"])
def test_students_never_open_the_presenter_or_the_audience_window(client, student, path):
    response = client.get(path)
    assert response.status_code == 403
    assert NOTES_WORDS not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(f"/present/{LESSON}/{NOTES_SLIDE}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_slides_and_lessons_that_do_not_exist_are_404(app, client, teacher):
    total = lesson_row(app).screen_count
    for path in (f"/present/{LESSON}/0", f"/present/{LESSON}/{total + 1}", "/present/no-such-lesson/1",
                 f"/present/{LESSON}/{total + 1}/audience"):
        assert client.get(path).status_code == 404, path


def test_the_lesson_overview_offers_teachers_to_present_it(client, teacher):
    assert f'href="/present/{LESSON}/1"' in client.get(f"/lessons/{LESSON}/").get_data(as_text=True)


def test_the_lesson_overview_offers_students_no_presenter_view(client, student):
    assert "/present/" not in client.get(f"/lessons/{LESSON}/").get_data(as_text=True)


# --- the glossary page a slide's term links to ---

def test_the_glossary_is_alphabetical_with_a_letter_index(client):
    page = client.get("/courses/fi-jalkimarkkinointi/glossary").get_data(as_text=True)
    index = page.split('<nav class="letter-index"', 1)[1].split("</nav>", 1)[0]
    letters = re.findall(r'<a href="#letter-\d+">([^<]+)</a>', index)
    assert letters == ["A", "E", "J", "K", "L", "P", "T", "V"]
    terms = ["asiakas", "asiakaskokemus", "asiakaslupaus, arvolupaus", "asiakaspysyvyys", "asiakastyytyväisyys",
             "empatia", "jälkimarkkinointi", "kustannustehokkuus", "lisämyynti", "palvelutarpeen arviointi",
             "palvelutilanteen päättäminen (arkikielessä klousaus)", "tarkkaavaisuus", "vireilletulo"]
    positions = [page.index(f"<dt>{term}</dt>") for term in terms]
    assert positions == sorted(positions)
    assert page.index('id="letter-3"') < page.index("<dt>jälkimarkkinointi</dt>") < page.index('id="letter-4"')


def test_a_term_link_on_a_slide_leads_to_the_glossary_with_the_way_back(client, student):
    slide = client.get(f"/lessons/{LESSON}/slides/{NOTES_SLIDE}").get_data(as_text=True)
    link = f'href="/courses/nl-klantrelaties/glossary?lesson={LESSON}&amp;slide={NOTES_SLIDE}#term-relatiemarketing"'
    assert link in slide
    glossary = client.get(f"/courses/nl-klantrelaties/glossary?lesson={LESSON}&slide={NOTES_SLIDE}")
    assert f'href="/lessons/{LESSON}/slides/{NOTES_SLIDE}"' in glossary.get_data(as_text=True)
    assert f"Back to slide {NOTES_SLIDE}" in glossary.get_data(as_text=True)


@pytest.mark.parametrize("query", [f"lesson=hu-l1&slide={NOTES_SLIDE}", f"lesson={LESSON}&slide=0",
                                   f"lesson={LESSON}&slide=99999", f"lesson={LESSON}&slide=x", "lesson=../../x&slide=1"])
def test_the_way_back_is_offered_only_to_a_real_slide_of_the_course(client, query):
    response = client.get(f"/courses/nl-klantrelaties/glossary?{query}")
    assert response.status_code == 200
    assert "Back to slide" not in response.get_data(as_text=True)


# --- the lesson overview: the slide list and what a finished lesson offers ---

def test_all_slides_lists_each_checkpoint_once_with_its_number_and_answered_state(app, client, student):
    position, version = first_question_screen(app)  # checkpoint A: slides 6-10 of nl-l1
    page = client.get(f"/lessons/{LESSON}/").get_data(as_text=True)
    assert page.count('class="slide-index-checkpoint"') == 4  # checkpoints A-D of nl-l1
    assert f'<li value="{position}" class="slide-index-checkpoint">' in page
    assert '<li value="3"><a href="/lessons/nl-l1/slides/3"><span lang="nl">Relatiemarketing</span>' in page
    assert "5 questions, not answered yet" in page and "Checkpoint A: question" not in page
    slide = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    correct = next(i for i, option in enumerate(version.options) if option["correct"])
    shown = shown_order(slide, version).index(correct)
    answer = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                         data={"csrf_token": csrf_token(client, f"/lessons/{LESSON}/slides/{position}"),
                               "version": version.id, "option": str(shown)})
    assert answer.status_code == 303
    page = client.get(f"/lessons/{LESSON}/").get_data(as_text=True)
    assert "1 of 5 questions answered" in page and "5 questions, not answered yet" not in page


def test_a_finished_lesson_offers_review_and_start_again(app, client, student):
    user_id, _name = student
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == LESSON))
        db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id, last_position=lesson.screen_count,
                                      furthest_position=lesson.screen_count, completed_at=utcnow(), updated_at=utcnow()))
        db.session.commit()
    page = client.get(f"/lessons/{LESSON}/").get_data(as_text=True)
    assert f'<a class="button" href="/lessons/{LESSON}/slides/1">Review</a>' in page
    assert f'action="/lessons/{LESSON}/restart"' in page and "Start again" in page
    assert "Continue where you left off" not in page
