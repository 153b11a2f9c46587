"""Progress per learning goal on the progress page and the lesson overview."""

from ..support import csrf_token
from .helpers import LESSON, question_screens, right_answer


def answer_goal_questions(app, client, goal_slug: str) -> int:
    answered = 0
    for position, version, goals in question_screens(app):
        if goal_slug not in goals:
            continue
        token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
        client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                    data={"csrf_token": token, "version": version.id, "option": right_answer(version)})
        answered += 1
    return answered


def test_a_new_student_sees_every_goal_not_started(client, student):
    page = client.get("/progress").get_data(as_text=True)
    assert "My progress" in page and "0 of 3 lessons completed" in page
    assert "Je kunt uitleggen wat relatiemarketing is" in page or "relatiemarketing" in page
    assert page.count("Not started") >= 5


def test_answering_every_question_of_a_goal_right_marks_it_mastered(app, client, student):
    answered = answer_goal_questions(app, client, "nl-l1-g1")
    assert answered >= 4
    for path in ("/progress", f"/lessons/{LESSON}/"):
        page = client.get(path).get_data(as_text=True)
        assert "✓</span> Mastered" in page, path
        assert "1 of 5 learning goals mastered" in page
        assert f"{answered} of {answered} questions answered" in page
        assert '<progress max="100" value="100"' in page
