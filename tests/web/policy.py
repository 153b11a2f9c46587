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

from .helpers import QUESTION_SLIDE

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


def class_teachers(outcome) -> dict:
    """TEACHER's own class (`{class}`, with STUDENT on its roster): TEACHER gets `outcome`; another
    teacher and an admin 404 (a class is its teachers' alone); students 403."""
    return {**members(404), STUDENT: 403, OTHER_STUDENT: 403, TEACHER: outcome}


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
    Row("media.file", "GET", f"/media/{COURSE}/klantpiramide.svg", everyone(200), note="a shipped figure"),
    Row("main.set_language", "POST", "/language", everyone(REDIRECT), data={"language": "nl"}),
    # accounts: logged-in users are sent home from the login and registration pages
    Row("auth.login", "GET", "/login", {**everyone(REDIRECT), ANONYMOUS: 200}),
    Row("auth.login", "POST", "/login", {**everyone(REDIRECT), ANONYMOUS: 400}, note="empty form"),
    Row("auth.register", "GET", "/register", {**everyone(REDIRECT), ANONYMOUS: 200}),
    Row("auth.register", "POST", "/register", {**everyone(REDIRECT), ANONYMOUS: 400}, note="empty form"),
    Row("auth.logout", "POST", "/logout", members(REDIRECT), ends_session=True),
    Row("account.settings", "GET", "/account/", members(200)),
    Row("account.change_password", "POST", "/account/password", members(400), note="empty form"),
    Row("account.end_session", "POST", "/account/sessions/2147483647/end", members(404),
        note="not a session of theirs"),
    Row("account.create_token", "POST", "/account/tokens", members(400), note="empty form: no token made"),
    Row("account.revoke_token", "POST", "/account/tokens/2147483647/revoke", members(404),
        note="not a token of theirs"),
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
    # presenting in class: speaker notes and the answer key are for teachers; so is the projector window
    Row("present.presenter", "GET", f"/present/{LESSON}/{QUESTION_SLIDE}", teachers(200)),
    Row("present.audience", "GET", f"/present/{LESSON}/3/audience", teachers(200)),
    Row("present.audience", "GET", f"/present/{LESSON}/{QUESTION_SLIDE}/audience?key=1", teachers(200),
        note="the answer key revealed"),
    Row("progress.overview", "GET", "/progress", members(200)),
    Row("review.results", "GET", "/results", members(200)),
    # score review: figures of every student of a lesson for any teacher (no names); a class filter
    # only for that class's teachers
    Row("review.index", "GET", "/review/", teachers(200)),
    Row("review.items", "GET", f"/review/lessons/{QUIZ_LESSON}/items", teachers(200)),
    Row("review.items", "GET", f"/review/lessons/{QUIZ_LESSON}/items?class=999999&attempts=all", teachers(404),
        note="a class the teacher does not teach"),
    Row("review.present", "GET", f"/review/lessons/{QUIZ_LESSON}/present", teachers(200)),
    Row("review.present", "GET", f"/review/lessons/{QUIZ_LESSON}/present/2?reveal=1", teachers(200)),
    # final quizzes: an attempt is its student's alone, for teachers and admins too
    Row("quiz.start", "GET", f"/lessons/{QUIZ_LESSON}/quiz", members(200)),
    Row("quiz.begin", "POST", f"/lessons/{QUIZ_LESSON}/quiz/new", members(REDIRECT)),
    Row("quiz.attempt", "GET", "/attempts/{attempt}", owner_only(200)),
    Row("quiz.submit", "POST", "/attempts/{attempt}/submit", owner_only(400),
        note="nothing answered and not confirmed: a 400 that asks to confirm, nothing stored"),
    # teacher pages: a course's editors (here: the admin) only; nothing in these rows writes content
    Row("teach.dashboard", "GET", "/teach/", teachers(200)),
    Row("teach.course", "GET", f"/teach/courses/{COURSE}/", course_editors(200)),
    Row("teach.new_lesson", "GET", f"/teach/courses/{COURSE}/lessons/new", course_editors(200)),
    Row("teach.new_lesson", "POST", f"/teach/courses/{COURSE}/lessons/new", course_editors(400), note="empty form"),
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
    Row("teach.question_history", "GET", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/history", course_editors(200)),
    Row("teach.restore_question", "POST", f"/teach/lessons/{LESSON}/questions/{LESSON}-q01/history/999999/restore",
        course_editors(404), note="no such revision"),
    Row("teach.import_questions", "GET", f"/teach/lessons/{LESSON}/import", course_editors(200)),
    Row("teach.import_questions", "POST", f"/teach/lessons/{LESSON}/import", course_editors(400),
        note="no file and no format: nothing imported"),
    Row("teach.export_questions", "GET", f"/teach/lessons/{LESSON}/export/gift", course_editors(200)),
    Row("teach.edit_lesson", "GET", f"/teach/lessons/{LESSON}/edit?slide=2", course_editors(200)),
    Row("teach.edit_lesson", "POST", f"/teach/lessons/{LESSON}/edit", course_editors(400), note="empty form"),
    Row("teach.preview_slide", "POST", f"/teach/lessons/{LESSON}/edit/preview", course_editors(400),
        note="no slide number"),
    Row("teach.upload_media", "POST", f"/teach/lessons/{LESSON}/media", course_editors(400), note="no file"),
    Row("teach.slide_action", "POST", f"/teach/lessons/{LESSON}/slides/999/up", course_editors(400),
        note="no such slide"),
    Row("teach.history", "GET", f"/teach/lessons/{LESSON}/history/quiz", course_editors(200)),
    Row("teach.diff", "GET", f"/teach/lessons/{LESSON}/history/lesson/diff?a=1&b=1", course_editors(200)),
    Row("teach.restore", "POST", f"/teach/lessons/{LESSON}/history/lesson/999999/restore", course_editors(404),
        note="no such revision"),
    # classes: TEACHER's class `{class}` has STUDENT (`{student}`) on its roster and `{assignment}`
    # assigns OWNED_QUIZ_LESSON, so STUDENT's open attempt is one of the class's
    Row("classes.index", "GET", "/classes/", teachers(200)),
    Row("classes.create", "POST", "/classes/", teachers(400), note="empty form"),
    Row("classes.show", "GET", "/classes/{class}/", class_teachers(200)),
    Row("classes.change_code", "POST", "/classes/{class}/code", class_teachers(400), note="no action"),
    Row("classes.archive", "POST", "/classes/{class}/archive", class_teachers(400), note="no value"),
    Row("classes.add_teacher", "POST", "/classes/{class}/teachers", class_teachers(400), note="empty form"),
    Row("classes.remove_teacher", "POST", "/classes/{class}/teachers/999999/remove", class_teachers(404),
        note="not a co-teacher of the class"),
    Row("classes.remove_student", "POST", "/classes/{class}/students/999999/remove", class_teachers(404),
        note="not on the roster"),
    Row("classes.new_assignment", "GET", "/classes/{class}/assignments/new", class_teachers(200)),
    Row("classes.new_assignment", "POST", "/classes/{class}/assignments/new", class_teachers(400), note="empty form"),
    Row("classes.edit_assignment", "GET", "/classes/{class}/assignments/{assignment}/edit", class_teachers(200)),
    Row("classes.edit_assignment", "POST", "/classes/{class}/assignments/{assignment}/edit", class_teachers(400),
        note="empty form"),
    Row("classes.remove_assignment", "POST", "/classes/{class}/assignments/999999/remove", class_teachers(404),
        note="no such assignment in the class"),
    Row("classes.gradebook", "GET", "/classes/{class}/gradebook?sort=-name", class_teachers(200)),
    Row("classes.heat_map", "GET", "/classes/{class}/mastery", class_teachers(200)),
    Row("classes.student", "GET", "/classes/{class}/students/{student}", class_teachers(200)),
    Row("classes.reset_attempt", "POST", "/classes/{class}/students/{student}/attempts/{attempt}/reset",
        class_teachers(REDIRECT), note="an open final quiz cannot be reset: a message, nothing written"),
    Row("classes.attempt", "GET", "/classes/{class}/attempts/{attempt}", class_teachers(200)),
    Row("classes.export_gradebook", "GET", "/classes/{class}/export/gradebook.csv", class_teachers(200)),
    Row("classes.export_responses", "GET", "/classes/{class}/export/responses.csv", class_teachers(200)),
    Row("classes.course_mastery", "GET", f"/classes/courses/{COURSE}/mastery", course_editors(200)),
    Row("classes.course_mastery", "POST", f"/classes/courses/{COURSE}/mastery", course_editors(400),
        note="empty form"),
    Row("classes.dashboard", "GET", "/dashboard", members(200)),
    Row("classes.join", "POST", "/dashboard/join", members(400), note="no code"),
    # JSON API: a session cookie authenticates nothing there (401 for every visitor); the token roles
    # are tested in tests/web/test_api_access.py. The OpenAPI document is public.
    Row("api-docs.openapi_json", "GET", "/api/v1/openapi.json", everyone(200)),
    Row("api.courses", "GET", "/api/v1/courses", everyone(401)),
    Row("api.course", "GET", f"/api/v1/courses/{COURSE}", everyone(401)),
    Row("api.lesson", "GET", f"/api/v1/lessons/{LESSON}", everyone(401)),
    Row("api.progress", "GET", "/api/v1/progress", everyone(401)),
    Row("api.start_attempt", "POST", f"/api/v1/lessons/{QUIZ_LESSON}/attempts", everyone(401)),
    Row("api.attempt", "GET", "/api/v1/attempts/{attempt}", everyone(401)),
    Row("api.submit_attempt", "POST", "/api/v1/attempts/{attempt}/submit", everyone(401)),
    Row("api.class_gradebook", "GET", "/api/v1/classes/{class}/gradebook", everyone(401)),
    Row("admin.users", "GET", "/admin/users?q=user", admins(200)),
    Row("admin.set_role", "POST", "/admin/users/999999/role", admins(404), data={"role": "student"},
        note="no such account"),
)
