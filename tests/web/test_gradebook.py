"""Gradebook, heat map, a student's record, the teacher's view of an attempt, resets, the course
mastery method and the CSV exports; and their constant cost. On SQLite and PostgreSQL.

The worlds are built straight in the database (students without password hashing, attempts with
chosen scores and times) so every expected number is computed by hand in the test."""

from __future__ import annotations

import itertools
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.database import count_statements
from app.extensions import db
from app.models import (
    Attempt,
    AttemptReset,
    AttemptSlot,
    ClassStudent,
    Course,
    CourseSettings,
    FinalQuizItem,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Response,
    User,
    question_version_goals,
)
from app.services import authoring
from app.services import classes as class_service
from app.services.gradebook import (
    LATE,
    NOT_STARTED,
    PASSED,
    SUBMITTED,
    assignment_status,
    counting_percent,
)
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login

_ids = itertools.count(1)


# --- pure rules ------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, expected", [("highest", 100.0), ("latest", 25.0), ("first", 50.0),
                                            ("average", 175 / 3)])
def test_the_counting_attempt_follows_the_rule(rule, expected):
    assert counting_percent(rule, [50.0, 100.0, 25.0]) == pytest.approx(expected)


def test_nothing_submitted_counts_nothing():
    assert counting_percent("highest", []) is None


DUE = datetime(2030, 1, 10, 12, 0)


def test_status_late_when_handed_in_after_the_due_date_and_passed_wins_with_a_late_mark():
    after = [datetime(2030, 1, 11)]
    assert assignment_status(after, 50.0, 60, DUE, False, datetime(2030, 2, 1)) == (LATE, True)
    assert assignment_status(after, 80.0, 60, DUE, False, datetime(2030, 2, 1)) == (PASSED, True)
    assert assignment_status([datetime(2030, 1, 9)], 50.0, 60, DUE, False, datetime(2030, 2, 1)) == (SUBMITTED, False)


def test_status_before_and_after_the_due_date_without_an_attempt():
    assert assignment_status([], None, 60, DUE, False, datetime(2030, 1, 1)) == (NOT_STARTED, False)
    assert assignment_status([], None, 60, DUE, True, datetime(2030, 1, 11)) == (LATE, True)
    assert assignment_status([], None, 60, None, False, datetime(2030, 1, 11)) == (NOT_STARTED, False)


def test_exactly_the_pass_mark_passes():
    assert assignment_status([datetime(2030, 1, 1)], 60.0, 60, None, False, DUE) == (PASSED, False)


# --- building a class ------------------------------------------------------------------------------

def add_student(name: str) -> int:
    """A student row without a password hash: these accounts never log in."""
    user = User(username=f"gb{next(_ids)}-{abs(hash(name)) % 10**6}", display_name=name, password_hash="!",
                role="student")
    db.session.add(user)
    db.session.flush()
    return user.id


def lesson_id(slug: str) -> int:
    return db.session.scalar(select(Lesson.id).where(Lesson.slug == slug))


def final_attempt(user_id: int, lesson: str, score: float, max_score: int, started: datetime,
                  submitted: datetime | None) -> int:
    attempt = Attempt(user_id=user_id, lesson_id=lesson_id(lesson), kind="final",
                      status="submitted" if submitted else "open", score=score if submitted else None,
                      max_score=max_score if submitted else None, started_at=started, submitted_at=submitted)
    db.session.add(attempt)
    db.session.flush()
    return attempt.id


def answered_attempt(user_id: int, lesson: str, corrects: list[bool], when: datetime) -> int:
    """A submitted final quiz over the lesson's final questions, right or wrong as listed (first
    option of a wrong answer that is not correct; all correct options of a right one)."""
    versions = list(db.session.scalars(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .join(FinalQuizItem, FinalQuizItem.question_id == Question.id)
        .where(FinalQuizItem.lesson_id == lesson_id(lesson)).order_by(FinalQuizItem.position)))
    attempt = Attempt(user_id=user_id, lesson_id=lesson_id(lesson), kind="final", status="submitted",
                      score=float(sum(corrects)), max_score=len(corrects), started_at=when, submitted_at=when)
    db.session.add(attempt)
    db.session.flush()
    for number, (version, right) in enumerate(zip(versions, corrects, strict=False), start=1):
        slot = AttemptSlot(attempt_id=attempt.id, number=number, question_id=version.question_id,
                           question_version_id=version.id, option_order=list(range(len(version.options))))
        db.session.add(slot)
        db.session.flush()
        selected = (sorted(version.correct_indexes) if right
                    else [next(i for i, o in enumerate(version.options) if not o["correct"])])
        db.session.add(Response(attempt_id=attempt.id, slot_id=slot.id, question_id=version.question_id,
                                question_version_id=version.id, selected=selected, score=1.0 if right else 0.0,
                                outcome="correct" if right else "incorrect", created_at=when))
    db.session.flush()
    return attempt.id


def enrol(class_id: int, user_id: int) -> None:
    db.session.add(ClassStudent(class_id=class_id, user_id=user_id))


def teacher_client(app):
    user_id, name = new_user(app, "teacher")
    client = app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    return client, user_id, name


def make_class(app, teacher_id, lesson="nl-l2", name="Gradebook class", **policy):
    settings = {"due_at": None, "attempts_allowed": None, "counting": "highest", "pass_mark": 60,
                "key_reveal": "immediately", **policy}
    with app.app_context():
        group = class_service.create_class(teacher_id, name)
        assignment = class_service.assign_lesson(group, class_service.Policy(lesson, **settings))
        return group.id, assignment.id


def cells_of(page: str) -> list[str]:
    """Text of the gradebook rows: student name followed by each cell's words."""
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


# --- the gradebook ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, shown", [("highest", "100%"), ("latest", "25%"), ("first", "50%"),
                                         ("average", "58%")])
def test_the_gradebook_shows_the_counting_score_of_the_rule(app, rule, shown):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id, counting=rule)
    with app.app_context():
        anna = add_student("Anna")
        enrol(class_id, anna)
        for day, score in ((1, 2), (2, 4), (3, 1)):  # 50 %, 100 %, 25 %, handed in in this order
            final_attempt(anna, "nl-l2", score, 4, datetime(2030, 1, day, 9), datetime(2030, 1, day, 10))
        db.session.commit()
    page = client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True)
    (row,) = cells_of(page)
    assert row.startswith(f"Anna {shown}")
    assert "3 attempts" in row
    expected_status = "Passed" if float(shown[:-1]) >= 60 else "Submitted"
    assert expected_status in row


def test_late_marks_with_icon_and_word_and_a_missing_student_is_late_after_the_due_date(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id, due_at=datetime(2021, 3, 1, 12))
    with app.app_context():
        on_time, late, missing = add_student("Aino"), add_student("Bela"), add_student("Cor")
        for student in (on_time, late, missing):
            enrol(class_id, student)
        final_attempt(on_time, "nl-l2", 3, 4, datetime(2021, 3, 1, 9), datetime(2021, 3, 1, 10))
        final_attempt(late, "nl-l2", 1, 4, datetime(2021, 3, 2, 9), datetime(2021, 3, 2, 10))
        db.session.commit()
    rows = cells_of(client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True))
    assert rows[0].startswith("Aino 75%")
    assert "Passed" in rows[0] and "Late" not in rows[0]
    assert rows[1].startswith("Bela 25%") and "⚠ Late" in rows[1]
    assert rows[2].startswith("Cor –") and "⚠ Late" in rows[2]


def test_the_gradebook_sorts_by_name_and_by_a_column_without_javascript(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, assignment_id = make_class(app, teacher_id)
    with app.app_context():
        for name, score in (("Bert", 9), ("Anna", 5), ("Dora", None), ("Cees", 7)):
            student = add_student(name)
            enrol(class_id, student)
            if score is not None:
                final_attempt(student, "nl-l2", score, 10, datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 10))
        db.session.commit()

    def order(sort):
        page = client.get(f"/classes/{class_id}/gradebook?sort={sort}").get_data(as_text=True)
        return [row.split()[0] for row in cells_of(page)], page

    assert order("name")[0] == ["Anna", "Bert", "Cees", "Dora"]
    assert order("-name")[0] == ["Dora", "Cees", "Bert", "Anna"]
    names, page = order(f"a{assignment_id}")
    assert names == ["Anna", "Cees", "Bert", "Dora"]  # 50, 70, 90, then nothing
    assert 'aria-sort="ascending"' in page
    assert f'name="sort" value="-a{assignment_id}"' in page  # the button sorts the other way next
    names, page = order(f"-a{assignment_id}")
    assert names == ["Bert", "Cees", "Anna", "Dora"]
    assert 'aria-sort="descending"' in page
    assert order("bogus';--")[0] == ["Anna", "Bert", "Cees", "Dora"]


def test_a_reset_attempt_stays_in_the_history_marked_and_no_longer_counts(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id)
    with app.app_context():
        anna = add_student("Anna")
        enrol(class_id, anna)
        final_attempt(anna, "nl-l2", 2, 4, datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 10))
        best = final_attempt(anna, "nl-l2", 4, 4, datetime(2030, 1, 2, 9), datetime(2030, 1, 2, 10))
        db.session.commit()
    assert cells_of(client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True))[0].startswith("Anna 100%")
    student_page = f"/classes/{class_id}/students/{anna}"
    token = csrf_token(client, student_page)
    reset = client.post(f"{student_page}/attempts/{best}/reset", data={"csrf_token": token})
    assert reset.status_code == 303
    row = cells_of(client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True))[0]
    assert row.startswith("Anna 50%") and "1 reset" in row
    page = client.get(student_page).get_data(as_text=True)
    assert page.count("Reset: does not count") == 1
    assert "This attempt was reset" in client.get(f"/classes/{class_id}/attempts/{best}").get_data(as_text=True)


def test_resetting_an_attempt_of_another_class_or_without_a_token_changes_nothing(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id)
    other_class, _ = make_class(app, teacher_id, name="Other")
    with app.app_context():
        anna, outsider = add_student("Anna"), add_student("Olli")
        enrol(class_id, anna)
        enrol(other_class, outsider)
        mine = final_attempt(anna, "nl-l2", 4, 4, datetime(2030, 1, 2, 9), datetime(2030, 1, 2, 10))
        theirs = final_attempt(outsider, "nl-l2", 4, 4, datetime(2030, 1, 2, 9), datetime(2030, 1, 2, 10))
        db.session.commit()
    token = csrf_token(client, f"/classes/{class_id}/")
    assert client.post(f"/classes/{class_id}/students/{anna}/attempts/{theirs}/reset",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/classes/{class_id}/students/{outsider}/attempts/{theirs}/reset",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/classes/{class_id}/students/{anna}/attempts/{mine}/reset").status_code == 400
    with app.app_context():
        assert class_service.counted_finals(anna, lesson_id("nl-l2")) == 1
        assert db.session.get(AttemptReset, mine) is None and db.session.get(AttemptReset, theirs) is None


def test_a_student_row_opens_attempts_time_taken_and_a_cell_opens_the_attempt_with_its_answers(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id)
    with app.app_context():
        anna = add_student("Anna")
        enrol(class_id, anna)
        attempt_id = final_attempt(anna, "nl-l2", 3, 4, datetime(2030, 1, 1, 10, 0), datetime(2030, 1, 1, 10, 7, 30))
        answered = answered_attempt(anna, "nl-l2", [True, False], datetime(2030, 1, 3, 10))
        db.session.commit()
    book = client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True)
    assert f'href="/classes/{class_id}/students/{anna}"' in book
    assert f'href="/classes/{class_id}/attempts/{attempt_id}"' in book  # highest: 75 % > 50 %
    record = client.get(f"/classes/{class_id}/students/{anna}").get_data(as_text=True)
    assert "7 min 30 s" in record
    assert "Mastery per learning goal" in record
    view = client.get(f"/classes/{class_id}/attempts/{answered}").get_data(as_text=True)
    assert view.count("Chosen:") == 2
    assert "✓</span> Correct</span>" in view and "✗</span> Incorrect</span>" in view


# --- heat map and the course's mastery method ------------------------------------------------------

def goal_question_ids(goal_slug: str) -> list[int]:
    return list(db.session.scalars(
        select(Question.id).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .join(question_version_goals, question_version_goals.c.question_version_id == QuestionVersion.id)
        .join(LearningGoal, LearningGoal.id == question_version_goals.c.goal_id)
        .where(LearningGoal.slug == goal_slug, Question.retired.is_(False))))


def checkpoint_answers(user_id: int, lesson: str, question_ids: list[int], score: float, when: datetime) -> None:
    run = Attempt(user_id=user_id, lesson_id=lesson_id(lesson), kind="lesson", status="open", started_at=when)
    db.session.add(run)
    db.session.flush()
    for number, question_id in enumerate(question_ids, start=1):
        version = db.session.get(Question, question_id).current_version
        slot = AttemptSlot(attempt_id=run.id, number=number, question_id=question_id, question_version_id=version.id,
                           option_order=list(range(len(version.options))))
        db.session.add(slot)
        db.session.flush()
        db.session.add(Response(attempt_id=run.id, slot_id=slot.id, question_id=question_id,
                                question_version_id=version.id, selected=[0], score=score,
                                outcome="correct" if score == 1 else "incorrect", created_at=when))
    db.session.flush()


def heat_cells(page: str, student: str) -> list[str]:
    row = re.search(rf">{student}</a></th>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_heat_map_shows_numbers_and_status_words_and_follows_the_course_method(app):
    client, teacher_id, teacher_name = teacher_client(app)
    class_id, _ = make_class(app, teacher_id, lesson="fi-l1")
    with app.app_context():
        authoring.add_member("fi-jalkimarkkinointi", teacher_name, "owner")
        g1 = goal_question_ids("fi-l1-g1")
        assert len(g1) >= 2
        strong, weak, idle = add_student("Strong"), add_student("Weak"), add_student("Idle")
        for student in (strong, weak, idle):
            enrol(class_id, student)
        checkpoint_answers(strong, "fi-l1", g1, 1.0, datetime(2030, 1, 1, 10))
        checkpoint_answers(weak, "fi-l1", g1[:1], 1.0, datetime(2030, 1, 1, 10))
        db.session.commit()
    page = client.get(f"/classes/{class_id}/mastery").get_data(as_text=True)
    assert heat_cells(page, "Strong")[0] == "100% ✓ Mastered"
    # latest answer per question, over all the goal's questions: 1 of len(g1)
    assert heat_cells(page, "Weak")[0] == f"{round(100 / len(g1))}% ◐ In progress"
    assert heat_cells(page, "Idle")[0] == "0% ○ Not started"
    mastery_page = "/classes/courses/fi-jalkimarkkinointi/mastery"
    try:
        token = csrf_token(client, mastery_page)
        saved = client.post(mastery_page, data={"csrf_token": token, "method": "n_correct", "decay_weight": "0.65",
                                                "n_correct": "1"})
        assert saved.status_code == 303
        page = client.get(f"/classes/{class_id}/mastery").get_data(as_text=True)
        assert heat_cells(page, "Weak")[0] == "100% ✓ Mastered"  # one question fully right is enough now
        assert "Mastered after N correct questions (1 correct answer needed)" in page
    finally:
        with app.app_context():
            course_id = db.session.scalar(select(Course.id).where(Course.slug == "fi-jalkimarkkinointi"))
            class_service.set_mastery_method(course_id, "latest", 0.65, 3)


def test_the_heat_map_leaves_out_answers_given_after_the_key_was_shown_like_the_progress_page(app):
    client, teacher_id, _name = teacher_client(app)
    class_id, _ = make_class(app, teacher_id, lesson="nl-l3", key_reveal="immediately")
    with app.app_context():
        student = add_student("Retaker")
        enrol(class_id, student)
        finals = len(db.session.scalars(select(FinalQuizItem).where(FinalQuizItem.lesson_id == lesson_id("nl-l3"))).all())
        # all wrong at 10:00 (keys shown on handing in), then all right at 10:05, after seeing the keys
        answered_attempt(student, "nl-l3", [False] * finals, datetime(2030, 1, 1, 10))
        answered_attempt(student, "nl-l3", [True] * finals, datetime(2030, 1, 1, 10, 5))
        db.session.commit()
    page = client.get(f"/classes/{class_id}/mastery").get_data(as_text=True)
    cells = heat_cells(page, "Retaker")
    # the only answers that count are the wrong ones: every goal of the lesson stays at 0 %
    assert cells and all(cell.startswith("0% ") for cell in cells), cells


@pytest.mark.parametrize("data, message", [
    ({"method": "magic", "decay_weight": "0.65", "n_correct": "3"}, "Not a valid choice"),
    ({"method": "decaying_average", "decay_weight": "0", "n_correct": "3"}, "Enter a weight between 0.05 and 1"),
    ({"method": "decaying_average", "decay_weight": "nan", "n_correct": "3"}, "Enter a weight between 0.05 and 1"),
    ({"method": "n_correct", "decay_weight": "0.65", "n_correct": "0"}, "Enter a number from 1 to 20"),
])
def test_a_bad_mastery_method_is_a_400_and_saves_nothing(app, data, message):
    client, _, teacher_name = teacher_client(app)
    with app.app_context():
        authoring.add_member("fi-jalkimarkkinointi", teacher_name, "editor")
        before = db.session.scalars(select(CourseSettings.mastery_method)).all()
    page = "/classes/courses/fi-jalkimarkkinointi/mastery"
    response = client.post(page, data={"csrf_token": csrf_token(client, page), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(CourseSettings.mastery_method)).all() == before


def test_a_teacher_who_does_not_hold_the_course_cannot_change_its_method(app):
    client, _, _ = teacher_client(app)
    assert client.get("/classes/courses/fi-jalkimarkkinointi/mastery").status_code == 404


# --- exports ---------------------------------------------------------------------------------------

def test_the_gradebook_export_is_a_bom_csv_not_cached_with_formula_names_neutralised(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id)
    with app.app_context():
        evil = add_student('=HYPERLINK("http://evil.example","x")')
        plain = add_student("Anna")
        enrol(class_id, evil)
        enrol(class_id, plain)
        final_attempt(plain, "nl-l2", 3, 4, datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 10))
        plain_name = db.session.get(User, plain).username
        db.session.commit()
    response = client.get(f"/classes/{class_id}/export/gradebook.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "username,name,nl-l2 score %,nl-l2 status,nl-l2 late,nl-l2 attempts"
    assert f"{plain_name},Anna,75.0,Passed,no,1" in lines
    assert any(line.endswith(',"\'=HYPERLINK(""http://evil.example"",""x"")",,Not started,no,0') for line in lines)
    assert not any(",=HYPERLINK" in line or line.startswith("=") for line in lines)


def test_the_responses_export_has_one_row_per_answer(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = make_class(app, teacher_id)
    with app.app_context():
        anna = add_student("-Anna")
        enrol(class_id, anna)
        attempt_id = answered_attempt(anna, "nl-l2", [True, False, True], datetime(2030, 1, 3, 10))
        db.session.commit()
    response = client.get(f"/classes/{class_id}/export/responses.csv")
    assert response.headers["Cache-Control"] == "no-store"
    lines = response.data.decode("utf-8-sig").strip("\r\n").split("\r\n")
    # times in the school's zone (Europe/Amsterdam unless LESMARK_TIMEZONE says otherwise), named in the header
    zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    assert zone == "Europe/Amsterdam"
    assert lines[0] == (f"student,name,lesson,attempt,kind,reset,started ({zone}),submitted ({zone}),slot,question,"
                        f"score,selected,outcome,answered ({zone})")
    assert len(lines) == 1 + 3
    # 10:00 UTC on 3 January is 11:00 in Amsterdam (winter time)
    assert all(f",'-Anna,nl-l2,{attempt_id},final,no,2030-01-03 11:00:00," in line for line in lines[1:])
    assert [line.split(",")[10] for line in lines[1:]] == ["1", "0", "1"]


# --- constant cost ---------------------------------------------------------------------------------

def class_of(app, teacher_id: int, size: int) -> int:
    class_id, _ = make_class(app, teacher_id, name=f"Class of {size}")
    with app.app_context():
        group = db.session.get(class_service.ClassGroup, class_id)
        class_service.assign_lesson(group, class_service.Policy("fi-l1", None, 2, "average", 50, "never"))
        for n in range(size):
            student = add_student(f"Student {n:03d}")
            enrol(class_id, student)
            final_attempt(student, "nl-l2", n % 5, 4, datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 10))
            answered_attempt(student, "nl-l2", [n % 2 == 0, True, False], datetime(2030, 1, 2, 10))
            answered_attempt(student, "fi-l1", [True, n % 3 == 0], datetime(2030, 1, 2, 11))
        db.session.commit()
    return class_id


def statements_for(app, client, path: str) -> int:
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_gradebook_heat_map_and_exports_cost_the_same_statements_for_5_and_50_students(app):
    client, teacher_id, _ = teacher_client(app)
    small, large = class_of(app, teacher_id, 5), class_of(app, teacher_id, 50)
    for page in ("gradebook", "mastery", "export/gradebook.csv", "export/responses.csv"):
        counts = [statements_for(app, client, f"/classes/{class_id}/{page}") for class_id in (small, large)]
        assert counts[0] == counts[1], (page, counts)
        assert counts[0] <= 12, (page, counts)


def test_the_students_progress_page_follows_the_course_method_and_leaves_reset_attempts_out(app):
    client, teacher_id, teacher_name = teacher_client(app)
    class_id, _ = make_class(app, teacher_id, lesson="fi-l1")
    student_id, student_name = new_user(app)
    student = app.test_client()
    assert login(student, student_name, PASSWORD).status_code == 303
    with app.app_context():
        authoring.add_member("fi-jalkimarkkinointi", teacher_name, "owner")
        enrol(class_id, student_id)
        g1 = goal_question_ids("fi-l1-g1")
        checkpoint_answers(student_id, "fi-l1", g1[:1], 1.0, datetime(2030, 1, 1, 10))
        run_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == student_id))
        course_id = db.session.scalar(select(Course.id).where(Course.slug == "fi-jalkimarkkinointi"))
        db.session.commit()
    with app.app_context():
        goal_text = db.session.scalar(select(LearningGoal.text).where(LearningGoal.slug == "fi-l1-g1"))

    def goal_row():
        page = student.get("/progress", headers={"Accept-Language": "en"}).get_data(as_text=True)
        start = page.index(goal_text)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start:page.index("</li>", start)]))

    assert f"{round(100 / len(g1))}% ◐ In progress" in goal_row()
    # the formula with the student's own numbers: the answered question scores 1, the others 0
    terms = " + ".join("1" if q == str(g1[0]) else "0" for q in sorted(str(q) for q in g1))
    assert "Method: your latest answer to each question counts." in goal_row()
    assert f"{terms} = 1 of {len(g1)} = {round(100 / len(g1))}%; mastered from 75%." in goal_row()
    try:
        with app.app_context():
            class_service.set_mastery_method(course_id, "n_correct", 0.65, 1)
        assert "100% ✓ Mastered" in goal_row()
        assert "1 of 1 questions fully right = 100%." in goal_row()
        token = csrf_token(client, f"/classes/{class_id}/students/{student_id}")
        assert client.post(f"/classes/{class_id}/students/{student_id}/attempts/{run_id}/reset",
                           data={"csrf_token": token}).status_code == 303
        assert "0% ○ Not started" in goal_row()
    finally:
        with app.app_context():
            class_service.set_mastery_method(course_id, "latest", 0.65, 3)
