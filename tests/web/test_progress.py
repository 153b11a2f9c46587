"""Progress per learning goal on the progress page and the lesson overview.

Expected numbers come from the course brief, counted by hand: 23 goals in all (nl 5 + 3 + 3,
hu 2 + 2 + 2 + 2, fi 4); goal nl-l1-g1 is tested by the checkpoint items q01, q02, q03 and q20."""

from ..support import CSRF_FIELD
from .helpers import LESSON, question_screens, right_answer, shown_positions

GOAL = "nl-l1-g1"
GOAL_TEXT = "Je kunt uitleggen wat relatiemarketing is."
GOAL_QUESTIONS = 4  # q01-q03 and q20, all in checkpoint A


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


def test_answering_every_question_of_a_goal_right_marks_it_mastered(app, client, student):
    assert answer_goal_questions(app, client, GOAL) == GOAL_QUESTIONS
    for path in ("/progress", f"/lessons/{LESSON}/"):
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert page.count("✓</span> Mastered") == 1, path
        assert "1 of 5 learning goals mastered" in page
        assert "4 of 4 questions answered" in page
        assert '<progress max="100" value="100"' in page
