"""Progress per learning goal on the progress page and the lesson overview.

Expected numbers are counted by hand from the course brief and the quiz files: 23 goals in all
(nl 5 + 3 + 3, hu 2 + 2 + 2 + 2, fi 4); goal nl-l1-g1 is tested by six questions, the checkpoint
items q01, q02, q03 and q20 and the final-quiz items q21 and q22."""

from sqlalchemy import select

from app.extensions import db
from app.models import LearningGoal, QuestionVersion

from ..support import CSRF_FIELD
from .helpers import (
    LESSON,
    question_screens,
    right,
    right_answer,
    shown_positions,
    slots_of,
    start,
    submit,
    wrong,
)

GOAL = "nl-l1-g1"
GOAL_TEXT = "Je kunt uitleggen wat relatiemarketing is."
GOAL_CHECKPOINTS = 4  # q01-q03 and q20, all in checkpoint A
GOAL_QUESTIONS = 6  # and q21, q22 in the final quiz


def answer_goal_questions(app, client, goal_slug: str) -> int:
    answered = 0
    for position, version, goals in question_screens(app):
        if goal_slug not in goals:
            continue
        page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
        token = CSRF_FIELD.search(page).group(1)
        response = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                               data={"csrf_token": token, "version": version.id,
                                     "option": shown_positions(page, version, right_answer(version))})
        assert response.status_code == 303, (position, response.status_code)
        answered += 1
    return answered


def test_a_new_student_sees_every_goal_not_started(client, student):
    page = client.get("/progress", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "My progress" in page
    assert "0 of 3 lessons completed" in page and "0 of 4 lessons completed" in page
    assert "0 of 1 lessons completed" in page
    assert GOAL_TEXT in page
    assert page.count("○</span> Not started") == 23


def goal_version_ids(app, goal_slug: str) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(
            select(QuestionVersion.id).join(QuestionVersion.goals).where(LearningGoal.slug == goal_slug)))


def test_answering_every_question_of_a_goal_right_marks_it_mastered(app, client, student):
    assert answer_goal_questions(app, client, GOAL) == GOAL_CHECKPOINTS
    page = client.get(f"/lessons/{LESSON}/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "4 of 6 questions answered" in page and "✓</span> Mastered" not in page
    # the final quiz: the goal's two questions right, every other question wrong
    goal_versions = goal_version_ids(app, GOAL)
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    assert len([s for s in slots if s.version.id in goal_versions]) == GOAL_QUESTIONS - GOAL_CHECKPOINTS
    answers = {s.number: right(s) if s.version.id in goal_versions else wrong(s) for s in slots}
    assert submit(client, attempt_id, answers).status_code == 303
    for path in ("/progress", f"/lessons/{LESSON}/"):
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert page.count("✓</span> Mastered") == 1, path
        assert "1 of 5 learning goals mastered" in page
        assert "6 of 6 questions answered · 100% of answers correct" in page
        assert '<progress max="100" value="100"' in page


def test_started_courses_come_first_with_their_quiz_score_and_the_others_are_folded(app, client, student):
    from ..support import csrf_token

    token = csrf_token(client, "/lessons/hu-l1/quiz")
    started = client.post("/lessons/hu-l1/quiz/new", data={"csrf_token": token})
    attempt = started.headers["Location"].rsplit("/", 1)[1]
    token = csrf_token(client, f"/attempts/{attempt}")
    assert client.post(f"/attempts/{attempt}/submit",
                       data={"csrf_token": token, "confirm_unanswered": "1"}).status_code == 303
    page = client.get("/progress").get_data(as_text=True)
    hungarian, folded = page.index('lang="hu">Ügyfélkapcsolati'), page.index('<details class="not-started">')
    assert hungarian < folded
    # an empty hand-in: 0 of the quiz's questions
    assert "Latest final quiz: 0 of " in page[hungarian:folded]
    assert "2 courses you have not started" in page
    assert page.index('lang="nl">Klantrelaties') > folded and page.index('lang="fi">Jälkimarkkinointi') > folded
