"""Who may do what: the expected answer of every endpoint for every kind of visitor.

ONE table for the whole URL map. `tests/web/test_access_policy.py` walks `app.url_map` and fails
when an endpoint (or one of its methods) has no row here, so whoever adds a route adds its row in
the same commit: say what an anonymous visitor, the owning student, another student, a teacher,
another teacher and an admin get. Owner-specific objects are real: `{attempt}` is an attempt of
STUDENT's; rows for a teacher's own objects (a class, an assignment) name them the same way and the
test creates them for TEACHER.

Outcomes: an HTTP status (200, 400, 403, 404...), LOGIN (a redirect to the login page, for
anonymous visitors), or REDIRECT (302/303 somewhere on this site). A "not yours" object is 404,
never 403, so nobody learns that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANONYMOUS, STUDENT, OTHER_STUDENT, TEACHER, OTHER_TEACHER, ADMIN = (
    "anonymous", "student", "other student", "teacher", "other teacher", "admin")
ROLES = (ANONYMOUS, STUDENT, OTHER_STUDENT, TEACHER, OTHER_TEACHER, ADMIN)
LOGGED_IN = ROLES[1:]

LOGIN = "login"
REDIRECT = "redirect"

LESSON = "nl-l1"  # content and checkpoint questions
QUIZ_LESSON = "nl-l3"  # quiz front page and starting an attempt
OWNED_QUIZ_LESSON = "nl-l2"  # STUDENT has an open final-quiz attempt here: `{attempt}`
COURSE = "nl-klantrelaties"
QUESTION_SLIDE = 6  # checkpoint A of nl-l1 (course brief); slide 3 is a content slide


def everyone(outcome) -> dict:
    return dict.fromkeys(ROLES, outcome)


def members(outcome, anonymous=LOGIN) -> dict:
    """Any logged-in user gets `outcome`; anonymous visitors the login page."""
    return {ANONYMOUS: anonymous, **dict.fromkeys(LOGGED_IN, outcome)}


def owner_only(outcome) -> dict:
    """STUDENT's own object: STUDENT gets `outcome`, every other user 404."""
    return {**members(404), STUDENT: outcome}


def teachers(outcome) -> dict:
    """Teachers and admins get `outcome`, students 403."""
    return {**members(outcome), STUDENT: 403, OTHER_STUDENT: 403}


def course_editors(outcome) -> dict:
    """A course's owners, co-editors and admins get `outcome`; students 403; a teacher who does not
    hold the course 404 (TEACHER and OTHER_TEACHER hold none: every course is owned by nobody)."""
    return {**members(404), STUDENT: 403, OTHER_STUDENT: 403, ADMIN: outcome}


def admins(outcome) -> dict:
    return {**members(403), ADMIN: outcome}


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str  # may name {attempt}
    outcomes: dict
    data: dict = field(default_factory=dict)  # form fields of a POST (a valid CSRF token is added)
    ends_session: bool = False  # run after the others: the visitor is logged out afterwards
    note: str = ""


POLICY: tuple[Row, ...] = (
    # public pages
    Row("main.index", "GET", "/", everyone(200)),
    Row("main.healthz", "GET", "/healthz", everyone(200)),
    Row("static", "GET", "/static/css/lesmark.css", everyone(200)),
    Row("learn.course", "GET", f"/courses/{COURSE}/", everyone(200)),
    Row("learn.glossary", "GET", f"/courses/{COURSE}/glossary", everyone(200)),
    Row("main.set_language", "POST", "/language", everyone(REDIRECT), data={"language": "nl"}),
    # accounts: logged-in users are sent home from the login and registration pages
    Row("auth.login", "GET", "/login", {**everyone(REDIRECT), ANONYMOUS: 200}),
    Row("auth.login", "POST", "/login", {**everyone(REDIRECT), ANONYMOUS: 400}, note="empty form"),
    Row("auth.register", "GET", "/register", {**everyone(REDIRECT), ANONYMOUS: 200}),
    Row("auth.register", "POST", "/register", {**everyone(REDIRECT), ANONYMOUS: 400}, note="empty form"),
    Row("auth.logout", "POST", "/logout", members(REDIRECT), ends_session=True),
    Row("account.settings", "GET", "/account/", members(200)),
    Row("account.change_password", "POST", "/account/password", members(400), note="empty form"),
    Row("account.log_out_everywhere", "POST", "/account/log-out-everywhere", everyone(LOGIN),
        ends_session=True, note="every session ends, then the login page"),
    # lessons: every logged-in user may read and answer checkpoints; notes and keys for teachers
    Row("learn.lesson", "GET", f"/lessons/{LESSON}/", members(200)),
    Row("learn.handout", "GET", f"/lessons/{LESSON}/handout", members(200)),
    Row("learn.handout", "GET", f"/lessons/{LESSON}/handout?notes=1", teachers(200),
        note="speaker notes and answer key"),
    Row("learn.resume", "GET", f"/lessons/{LESSON}/resume", members(REDIRECT)),
    Row("learn.slide", "GET", f"/lessons/{LESSON}/slides/3", members(200)),
    Row("learn.answer", "POST", f"/lessons/{LESSON}/slides/{QUESTION_SLIDE}/answer", members(400),
        note="no option chosen: a 400 with a message, nothing stored"),
    Row("learn.restart", "POST", f"/lessons/{LESSON}/restart", members(REDIRECT)),
    Row("progress.overview", "GET", "/progress", members(200)),
    # final quizzes: an attempt is its student's alone, for teachers and admins too
    Row("quiz.start", "GET", f"/lessons/{QUIZ_LESSON}/quiz", members(200)),
    Row("quiz.begin", "POST", f"/lessons/{QUIZ_LESSON}/quiz/new", members(REDIRECT)),
    Row("quiz.attempt", "GET", "/attempts/{attempt}", owner_only(200)),
    Row("quiz.submit", "POST", "/attempts/{attempt}/submit", owner_only(400),
        note="nothing answered and not confirmed: a 400 that asks to confirm, nothing stored"),
    # teacher pages: a course's editors (here: the admin) only; nothing in these rows writes content
    Row("teach.dashboard", "GET", "/teach/", teachers(200)),
    Row("teach.course", "GET", f"/teach/courses/{COURSE}/", course_editors(200)),
    Row("teach.add_member", "POST", f"/teach/courses/{COURSE}/members", course_editors(400), note="empty form"),
    Row("teach.remove_member", "POST", f"/teach/courses/{COURSE}/members/999999/remove", course_editors(404),
        note="not a member of the course"),
    Row("teach.questions", "GET", f"/teach/lessons/{LESSON}/questions", course_editors(200)),
    Row("teach.new_question", "GET", f"/teach/lessons/{LESSON}/questions/new", course_editors(200)),
    Row("teach.new_question", "POST", f"/teach/lessons/{LESSON}/questions/new", course_editors(400),
        note="empty form: errors next to the fields, nothing saved"),
    Row("teach.edit_question", "GET", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/edit", course_editors(200)),
    Row("teach.edit_question", "POST", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/edit", course_editors(400),
        note="empty form"),
    Row("teach.duplicate_question", "POST", f"/teach/lessons/{LESSON}/questions/no-such-question/duplicate",
        course_editors(404), note="a question the lesson does not have"),
    Row("teach.move_question", "POST", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/move", course_editors(400),
        note="no direction"),
    Row("teach.retire_question", "POST", f"/teach/lessons/{LESSON}/questions/no-such-question/retire",
        course_editors(404), note="a question the lesson does not have"),
    Row("teach.preview_question", "GET", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/preview", course_editors(200)),
    Row("teach.preview_question", "POST", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/preview",
        course_editors(400), note="no option chosen; a preview answer is never stored anyway"),
    Row("teach.edit_lesson", "GET", f"/teach/lessons/{LESSON}/edit?slide=2", course_editors(200)),
    Row("teach.edit_lesson", "POST", f"/teach/lessons/{LESSON}/edit", course_editors(400), note="empty form"),
    Row("teach.history", "GET", f"/teach/lessons/{LESSON}/history/quiz", course_editors(200)),
    Row("teach.diff", "GET", f"/teach/lessons/{LESSON}/history/lesson/diff?a=1&b=1", course_editors(200)),
    Row("teach.restore", "POST", f"/teach/lessons/{LESSON}/history/lesson/999999/restore", course_editors(404),
        note="no such revision"),
    Row("admin.users", "GET", "/admin/users?q=user", admins(200)),
    Row("admin.set_role", "POST", "/admin/users/999999/role", admins(404), data={"role": "student"},
        note="no such account"),
)
