"""Item analysis page, projector review and student results (issue 9 points 5, 7, 8, 11 and 12),
on the made-up attempts of review_world.FIVE with hand-computed figures.

One app per backend with its own database, so no other test's attempts enter the figures. Who may
open which page is also in tests/web/policy.py; here: the class filter, bad input, no names in
review mode, constant SQL statements."""

import itertools
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own pages only

import pytest

from app import database
from app.extensions import db
from app.models import AttemptReset, ClassGroup, ClassStudent, ClassTeacher, User

from ..conftest import PASSWORD, make_app
from ..support import login
from .review_world import (
    START,
    first_wrong,
    five_students,
    make_student,
    many_students,
    submit_attempt,
    three_questions,
)

_databases = itertools.count(1)
DISTINCTIVE = ["Zebulon Quartermaine", "Xanthippe Oddbody", "Ulrika Wimbleton", "Ptolemy Farnsworth",
               "Octavia Blumenkranz"]
ITEMS = "/review/lessons/nl-l2/items"
PRESENT = "/review/lessons/nl-l2/present"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def review_app(request, tmp_path_factory):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"review_{next(_databases)}")
    app = make_app(tmp_path_factory, url)
    ids, names, _versions = five_students(app, DISTINCTIVE)
    teacher_id, teacher = make_student(app)
    other_id, other = make_student(app)
    with app.app_context():
        for user_id in (teacher_id, other_id):
            db.session.get(User, user_id).role = "teacher"
        group = ClassGroup(name="4B review", join_code="REVIEW4B")
        db.session.add(group)
        db.session.flush()
        db.session.add(ClassTeacher(class_id=group.id, user_id=teacher_id, role="owner"))
        db.session.add_all(ClassStudent(class_id=group.id, user_id=user_id) for user_id in ids[:3])
        db.session.commit()
        app.class_id = group.id
    app.users = {"teacher": teacher, "other teacher": other}
    app.student_ids, app.student_names = ids, names
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def logged_in(app, username: str):
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 303
    return client


@pytest.fixture(scope="module")
def teacher(review_app):
    return logged_in(review_app, review_app.users["teacher"])


def text_of(html: str) -> str:
    """The page's visible words, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- item analysis ---

def test_item_analysis_shows_the_hand_computed_figures_with_their_n(teacher):
    page = teacher.get(ITEMS).get_data(as_text=True)
    words = text_of(page)
    assert "5 attempts · 5 students · each student's first attempt · every student who took the quiz" in words
    # facility 3/5, 3/5, 1/5; discrimination 0.3273, 0.3273, 0.5345; upper-lower 1 (see test_report_cli)
    glance = page[page.index('id="glance-caption"'):page.index("</table>", page.index('id="glance-caption"'))]
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", glance, re.S)][1:]
    # distractor efficiency: 1 of 3 distractors chosen by at least 5 %
    assert rows == ["Question 1 5 0.60 0.33 1.00 33% ⚠ Nobody chose this distractor",
                    "Question 2 5 0.60 0.33 1.00 33% ⚠ Nobody chose this distractor",
                    "Question 3 5 0.20 0.53 1.00 33% ⚠ Most chose the same wrong option ⚠ Nobody chose this distractor"]
    # KR-20 = 3/2 * (1 - 3.2/5.2) = 0.58, below 0.64
    assert "Coefficient alpha (KR-20 for right/wrong questions): 0.58 (n = 5) ✗ unsatisfactory (below 0.64)" in words


def test_fewer_than_ten_attempts_say_too_few_to_judge_and_word_the_flags_so(teacher):
    words = text_of(teacher.get(ITEMS).get_data(as_text=True))
    assert "Too few to judge: only 5 attempts." in words
    assert "Worth a look once more students have taken the quiz:" in words
    assert "Act on this:" not in words


def test_every_option_is_listed_with_count_and_share_including_options_nobody_chose(teacher):
    page = teacher.get(ITEMS).get_data(as_text=True)
    start = page.index('id="answers-caption-3"')
    table = page[start:page.index("</table>", start)]
    rows = [[text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]
    # nl-l2-q16: key A chosen once, B four times, C and D by nobody (n = 5); text column left out
    assert [[r[0], *r[2:]] for r in rows] == [
        ["A", "✓ Right answer", "1", "20%", "–"],
        ["B", "Wrong", "4", "80%", "✓ works"],
        ["C", "Wrong", "0", "0%", "⚠ nobody chose it"],
        ["D", "Wrong", "0", "0%", "⚠ nobody chose it"]]


def test_all_attempts_counts_the_second_try(teacher):
    words = text_of(teacher.get(f"{ITEMS}?attempts=all").get_data(as_text=True))
    assert "6 attempts · 5 students · every submitted attempt" in words


def test_the_class_filter_counts_only_its_students(review_app, teacher):
    words = text_of(teacher.get(f"{ITEMS}?class={review_app.class_id}").get_data(as_text=True))
    # S1, S2, S3: q1 3/3, q2 2/3, q3 1/3
    assert "3 attempts · 3 students · each student's first attempt · class 4B review" in words
    assert "Question 1 3 1.00" in words and "Everyone answered correctly" in words


def test_another_teachers_class_is_404_and_students_403(review_app):
    other = logged_in(review_app, review_app.users["other teacher"])
    assert other.get(f"{ITEMS}?class={review_app.class_id}").status_code == 404
    assert other.get(f"{PRESENT}?class={review_app.class_id}").status_code == 404
    assert other.get(ITEMS).status_code == 200  # every student of the lesson: figures only
    _id, name = make_student(review_app)
    student = logged_in(review_app, name)
    for url in (ITEMS, PRESENT, "/review/", f"{PRESENT}/2?reveal=1"):
        assert student.get(url).status_code == 403
        anonymous = review_app.test_client().get(url)
        assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("url", "status"), [
    (f"{ITEMS}?attempts=every", 400),
    (f"{ITEMS}?class=abc", 404),
    (f"{ITEMS}?class=-1", 404),
    (f"{ITEMS}?class=99999999999999999999", 404),
    ("/review/lessons/no-such-lesson/items", 404),
    (f"{PRESENT}/0", 404),
    (f"{PRESENT}/4", 404),  # three questions were drawn
    (f"{PRESENT}/99999999999", 404),
    (f"{PRESENT}/1?attempts=%00", 400),
])
def test_bad_input_is_a_clear_4xx_never_a_5xx(teacher, url, status):
    assert teacher.get(url).status_code == status


# --- projector review ---

def svg_of(page: str):
    return ET.fromstring(page[page.index("<svg"):page.index("</svg>") + len("</svg>")])  # noqa: S314


def test_review_mode_shows_a_server_rendered_chart_and_table_of_the_answers(teacher):
    page = teacher.get(f"{PRESENT}/3").get_data(as_text=True)
    assert "Question 3 of 3" in text_of(page)
    svg = svg_of(page)
    assert svg.get("role") == "img"
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "How the class answered question 3"
    values = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "bar-value"]
    assert values == ["1 (20%)", "4 (80%)", "0 (0%)", "0 (0%)"]
    assert "<script" not in page[page.index("<main"):page.index("</main>")]


def test_the_key_and_feedback_appear_only_after_reveal(review_app, teacher):
    hidden = teacher.get(f"{PRESENT}/3").get_data(as_text=True)
    shown = teacher.get(f"{PRESENT}/3?reveal=1").get_data(as_text=True)
    assert "Right answer" not in hidden and "✓ right" not in hidden and "Feedback" not in text_of(hidden)
    labels = [t.text for t in svg_of(shown).iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "bar-label"]
    assert labels == ["A ✓ right", "B", "C", "D"]  # nl-l2-q16's key is A
    with review_app.app_context():
        from app.services.attempts import final_questions
        from app.services.lessons import lesson_by_slug

        feedback = [v for v in final_questions(lesson_by_slug("nl-l2").id) if v.question.slug == "nl-l2-q16"][0]
        first_feedback = feedback.options[0]["feedback_html"]
    assert first_feedback and first_feedback in shown and first_feedback not in hidden
    assert f'href="{PRESENT}/3"' in shown  # "Hide the answer"
    assert f'href="{PRESENT}/2"' in shown and f'href="{PRESENT}/3?reveal=1"' in hidden


def test_no_student_name_appears_anywhere_in_review_mode(review_app, teacher):
    pages = [teacher.get(f"{PRESENT}/{n}{reveal}{sep}{extra}").get_data(as_text=True)
             for n in (1, 2, 3) for reveal in ("", "?reveal=1")
             for sep, extra in (("", ""), ("&" if reveal else "?", f"class={review_app.class_id}"),
                                ("&" if reveal else "?", "attempts=all"))]
    pages.append(teacher.get(PRESENT).get_data(as_text=True))
    for page in pages:
        for name in DISTINCTIVE:
            assert name not in page and name.split()[1] not in page
        assert not set(review_app.student_names) & set(re.findall(r"\brv\d+\b", page))  # usernames


# --- constant cost ---

def test_item_analysis_and_review_statements_do_not_grow_with_the_students(review_app, teacher):
    def count(url):
        # a first request takes the session's occasional "last seen" write, which is not the page's
        assert teacher.get(url).status_code == 200
        with review_app.app_context(), database.count_statements(db.engine) as statements:
            assert teacher.get(url).status_code == 200
        return len(statements)

    urls = ["/review/lessons/nl-l3/items", "/review/lessons/nl-l3/items?attempts=all",
            "/review/lessons/nl-l3/present/2?reveal=1", "/review/"]
    many_students(review_app, 5, "nl-l3")
    with_five = [count(url) for url in urls]
    many_students(review_app, 45, "nl-l3")
    with_fifty = [count(url) for url in urls]
    assert with_five == with_fifty
    assert "50 attempts" in text_of(teacher.get("/review/lessons/nl-l3/items").get_data(as_text=True))


# --- student results ---

def test_a_student_sees_every_attempt_with_score_and_date_newest_first(review_app):
    s1 = logged_in(review_app, db_username(review_app, review_app.student_ids[0]))
    page = s1.get("/results").get_data(as_text=True)
    start = page.index('id="attempts-caption"')
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", page[start:page.index("</table>", start)], re.S)][1:]
    # S1: first attempt 3 of 3 on 2 Nov 2026 09:00, second 0 of 3 a day later
    assert len(rows) == 2
    assert "Nov 3, 2026" in rows[0] and "0 out of 3" in rows[0] and "0%" in rows[0] and rows[0].split()[0] != ""
    assert "Nov 2, 2026" in rows[1] and "3 out of 3" in rows[1] and "100%" in rows[1]
    assert "Handed in" in rows[0]


def test_results_show_only_the_students_own_attempts_and_their_goals(review_app):
    s2 = logged_in(review_app, db_username(review_app, review_app.student_ids[1]))
    words = text_of(s2.get("/results").get_data(as_text=True))
    assert words.count("out of 3") == 1  # S2 took the quiz once: 2 of 3
    assert "2 out of 3" in words
    assert "Learning goals" in words and "learning goals mastered" in words


def test_a_new_student_gets_a_friendly_empty_results_page_linked_from_progress(review_app):
    _id, name = make_student(review_app)
    client = logged_in(review_app, name)
    words = text_of(client.get("/results").get_data(as_text=True))
    assert "You have not taken a final quiz yet." in words
    assert 'href="/results"' in client.get("/progress").get_data(as_text=True)


def db_username(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).username


def test_a_quiz_nobody_took_shows_its_questions_with_zero_answers(teacher):
    words = text_of(teacher.get("/review/lessons/nl-l1/items").get_data(as_text=True))
    assert "0 attempts · 0 students" in words and "Too few to judge: only 0 attempts." in words
    page = teacher.get("/review/lessons/nl-l1/present/1").get_data(as_text=True)
    values = {t.text for t in svg_of(page).iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "bar-value"}
    assert values == {"0"}


def test_a_reset_attempt_stays_in_the_students_history_marked_as_reset(review_app):
    user_id, name = make_student(review_app)
    attempt_id = submit_attempt(review_app, user_id, "nl-l2",
                                [(v, {first_wrong(v)}) for v in three_questions(review_app)], START)
    with review_app.app_context():
        db.session.add(AttemptReset(attempt_id=attempt_id))
        db.session.commit()
    words = text_of(logged_in(review_app, name).get("/results").get_data(as_text=True))
    assert "0 out of 3" in words and "Reset by your teacher" in words and "Handed in" not in words
