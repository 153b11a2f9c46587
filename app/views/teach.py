"""Teacher pages, part one: dashboard, course and its members, new lessons, the quiz editor with
its preview and the history of one question. The lesson editor and the lesson/quiz-bank history are
in `teach_lessons.py`, import and export in `teach_import.py`; all on this blueprint.
Thin: parse the request, call `services.authoring`, render.

Access: anonymous visitors go to the login page, students get 403, and a teacher who does not hold
the course gets 404 (the lookups answer None), so nobody learns that someone else's course exists."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..content.editing import draft_of
from ..content.lessons import parse_lesson
from ..content.loader import MAX_FILE_BYTES
from ..content.media import MAX_MEDIA_BYTES
from ..content.model import ContentError
from ..extensions import db
from ..learning.grading import InvalidResponse, grade
from ..learning.item_checks import ItemWarning, check_items
from ..models import Question
from ..services import authoring
from .access import teacher_required
from .forms import CsrfForm
from .teach_forms import MemberForm, NewLessonForm, QuestionForm

bp = Blueprint("teach", __name__, url_prefix="/teach")

MEMBER_ERRORS = {
    "unknown_user": _l("There is no account with this username"),
    "not_a_teacher": _l("Only teachers can edit a course: an admin can make this account a teacher first"),
    "last_owner": _l("A course keeps at least one owner: add another owner first"),
    "not_a_member": _l("This teacher does not edit this course"),
}
COURSE_ROLE_NAMES = {"owner": _l("Owner"), "editor": _l("Co-editor"), "admin": _l("Admin")}
KINDS = "any(lesson, quiz)"
LESSON_REQUEST_BYTES = 4 * MAX_FILE_BYTES + 16 * 1024  # form-encoded text of a largest lesson file


@bp.url_value_preprocessor
def allow_whole_lessons(endpoint, values):
    """A lesson file may hold up to the content store's limit, more than the site-wide form cap.
    (A URL preprocessor runs before every before_request function, so before the form is read.)"""
    if endpoint in ("teach.edit_lesson", "teach.preview_slide", "teach.import_questions"):
        request.max_content_length = LESSON_REQUEST_BYTES
        request.max_form_memory_size = LESSON_REQUEST_BYTES
    elif endpoint == "teach.upload_media":  # one image, plus the form around it
        request.max_content_length = MAX_MEDIA_BYTES + 64 * 1024


# --- lookups: 404 for what the user may not edit ------------------------------------------------

def course_or_404(slug: str):
    course = authoring.editable_course(current_user, slug)
    if course is None:
        abort(404)
    return course


def lesson_or_404(slug: str):
    lesson = authoring.editable_lesson(current_user, slug)
    if lesson is None:
        abort(404)
    return lesson


def bank_question_or_404(bank, question_id: str):
    if question_id not in bank.questions:
        abort(404)
    return bank.questions[question_id]


def goal_choices(lesson):
    return [(goal.slug, goal.text) for goal in lesson.goals if not goal.retired]


# --- dashboard and course ----------------------------------------------------------------------

@bp.get("/")
@teacher_required
def dashboard():
    courses = authoring.teacher_courses(current_user)
    ownerless = {c.id for c in authoring.ownerless_courses()}
    return render_template("teach/dashboard.html", courses=courses, ownerless=ownerless)


@bp.get("/courses/<slug:slug>/")
@teacher_required
def course(slug: str):
    course = course_or_404(slug)
    return course_page(course, MemberForm())


def course_page(course, member_form, status: int = 200, error: str | None = None):
    lessons = [lesson for lesson in course.lessons if not lesson.retired]
    banks = {lesson.id: authoring.quiz_bank(lesson) for lesson in lessons}
    return render_template("teach/course.html", course=course, lessons=lessons, banks=banks,
                           members=authoring.course_members(course), member_form=member_form,
                           can_manage=authoring.can_manage_members(current_user, course),
                           role_names=COURSE_ROLE_NAMES, error=error), status


@bp.route("/courses/<slug:slug>/lessons/new", methods=["GET", "POST"])
@teacher_required
def new_lesson(slug: str):
    course = course_or_404(slug)
    form = NewLessonForm()
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            result = authoring.create_lesson(course, current_user.id, form.lesson_id.data, form.title.data,
                                             form.minutes.data, form.goal.data)
            if result.ok:
                flash(_("Lesson created. Write its slides below."), "success")
                return redirect(url_for("teach.edit_lesson", slug=form.lesson_id.data), 303)
            problems = result.problems
        elif form.csrf_token.errors:
            abort(400)
        status = 400
    return render_template("teach/new_lesson.html", course=course, form=form, problems=problems), status


@bp.post("/courses/<slug:slug>/members")
@teacher_required
def add_member(slug: str):
    course = course_or_404(slug)
    if not authoring.can_manage_members(current_user, course):
        abort(403)
    form = MemberForm()
    if not form.validate_on_submit():
        return course_page(course, form, 400)
    try:
        authoring.add_member(course.slug, form.username.data, form.role.data)
    except authoring.AuthoringError as exc:
        form.username.errors = [MEMBER_ERRORS.get(exc.reason, exc.reason)]
        return course_page(course, form, 400)
    flash(_("%(name)s can now edit this course.", name=form.username.data), "success")
    return redirect(url_for("teach.course", slug=course.slug), 303)


@bp.post("/courses/<slug:slug>/members/<int:user_id>/remove")
@teacher_required
def remove_member(slug: str, user_id: int):
    course = course_or_404(slug)
    if not authoring.can_manage_members(current_user, course):
        abort(403)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        authoring.remove_member(course, user_id, current_user)
    except authoring.AuthoringError as exc:
        status = 404 if exc.reason == "not_a_member" else 409
        return course_page(course, MemberForm(formdata=None), status, str(MEMBER_ERRORS[exc.reason]))
    flash(_("Removed from this course."), "success")
    return redirect(url_for("teach.course", slug=course.slug), 303)


# --- quiz editor -------------------------------------------------------------------------------

@bp.get("/lessons/<slug:slug>/questions")
@teacher_required
def questions(slug: str):
    lesson = lesson_or_404(slug)
    return questions_page(lesson)


def item_warnings(lesson, bank) -> list[ItemWarning]:
    """The item-writing checker's warnings for the lesson's quiz bank, as `flask content check`
    gives them: the lesson file names the checkpoint questions, the bank's final list the pool."""
    if not bank.questions:
        return []
    lesson_source = authoring.current_source(authoring.document_path(lesson, "lesson"))
    try:
        parsed = parse_lesson(authoring.document_path(lesson, "lesson"), lesson_source or "")
        checkpoints = {q for slide in parsed.slides for q in slide.question_ids}
    except ContentError:  # a broken lesson file is reported on its own page
        checkpoints = set()
    final = bank.layout.final if bank.layout else ()
    waivers = {q.id: dict(q.waivers) for q in bank.questions.values()}
    return check_items(list(bank.questions.values()), checkpoints, final, lesson.language, waivers)


def questions_page(lesson, problems=(), status: int = 200):
    bank = authoring.quiz_bank(lesson)
    order = bank.layout.order if bank.layout else ()
    return render_template("teach/questions.html", lesson=lesson, course=lesson.course, bank=bank, order=order,
                           warnings=item_warnings(lesson, bank),
                           final=set(bank.layout.final) if bank.layout else set(),
                           answered=authoring.answered_question_ids(lesson), problems=[*bank.problems, *problems],
                           form=CsrfForm()), status


@bp.route("/lessons/<slug:slug>/questions/new", methods=["GET", "POST"])
@teacher_required
def new_question(slug: str):
    lesson = lesson_or_404(slug)
    form = QuestionForm(goal_choices=goal_choices(lesson))
    if request.method == "GET":
        form.type.data, form.in_final.data = "single", True
    return question_page(lesson, form, None)


@bp.route("/lessons/<slug:slug>/questions/<slug:question_id>/edit", methods=["GET", "POST"])
@teacher_required
def edit_question(slug: str, question_id: str):
    lesson = lesson_or_404(slug)
    bank = authoring.quiz_bank(lesson)
    question = bank_question_or_404(bank, question_id)
    form = QuestionForm(goal_choices=goal_choices(lesson))
    if request.method == "GET":
        form.fill_from(draft_of(question), question_id in bank.layout.final)
    return question_page(lesson, form, question_id)


def question_page(lesson, form: QuestionForm, question_id: str | None):
    problems = []
    if request.method == "POST":
        if form.validate_on_submit():
            result, saved_id = authoring.save_question(lesson, current_user.id, form.draft(), question_id,
                                                       bool(form.in_final.data), form.message.data or "")
            if result.ok:
                flash(_("Question %(id)s saved.", id=saved_id), "success")
                return redirect(url_for("teach.preview_question", slug=lesson.slug, question_id=saved_id), 303)
            problems = result.problems
        elif form.csrf_token.errors:
            abort(400)
    status = 400 if request.method == "POST" else 200
    answered = question_id in authoring.answered_question_ids(lesson) if question_id else False
    warnings = [w for w in item_warnings(lesson, authoring.quiz_bank(lesson))
                if question_id and w.question_id == question_id]
    return render_template("teach/question_form.html", lesson=lesson, course=lesson.course, form=form,
                           question_id=question_id, problems=problems, answered=answered,
                           warnings=warnings), status


def bank_action(slug: str, question_id: str, action):
    lesson = lesson_or_404(slug)
    bank_question_or_404(authoring.quiz_bank(lesson), question_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    result = action(lesson)
    if not result.ok:
        return questions_page(lesson, result.problems, 400)
    return redirect(url_for("teach.questions", slug=lesson.slug) + f"#q-{question_id}", 303)


@bp.post("/lessons/<slug:slug>/questions/<slug:question_id>/duplicate")
@teacher_required
def duplicate_question(slug: str, question_id: str):
    def duplicate(lesson):
        result, new_id = authoring.duplicate_question(lesson, current_user.id, question_id)
        if result.ok:
            flash(_("Copied as %(id)s.", id=new_id), "success")
        return result

    return bank_action(slug, question_id, duplicate)


@bp.post("/lessons/<slug:slug>/questions/<slug:question_id>/move")
@teacher_required
def move_question(slug: str, question_id: str):
    def move(lesson):
        step = {"up": -1, "down": 1}.get(request.form.get("direction"))
        if step is None:
            abort(400)
        return authoring.move_question(lesson, current_user.id, question_id, step)

    return bank_action(slug, question_id, move)


@bp.post("/lessons/<slug:slug>/questions/<slug:question_id>/retire")
@teacher_required
def retire_question(slug: str, question_id: str):
    def retire(lesson):
        result = authoring.retire_question(lesson, current_user.id, question_id)
        if result.ok:
            flash(_("Question %(id)s retired. Answers given to it are kept.", id=question_id), "success")
        return result

    return bank_action(slug, question_id, retire)


@bp.route("/lessons/<slug:slug>/questions/<slug:question_id>/preview", methods=["GET", "POST"])
@teacher_required
def preview_question(slug: str, question_id: str):
    """The question as a student sees it; an answer is graded in memory and never stored."""
    lesson = lesson_or_404(slug)
    bank_question_or_404(authoring.quiz_bank(lesson), question_id)
    question = db.session.scalar(db.select(Question).where(Question.slug == question_id,
                                                           Question.lesson_id == lesson.id,
                                                           Question.retired.is_(False)))
    if question is None or question.current_version is None:
        abort(404)
    version = question.current_version
    form, result, error, chosen = CsrfForm(), None, None, set()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            chosen = {int(value) for value in request.form.getlist("option")[:len(version.options) + 1]}
            if not chosen:
                raise ValueError
            result = grade(version.type, len(version.options), version.correct_indexes, chosen)
        except (ValueError, InvalidResponse):
            error, status, chosen = _("Choose an answer."), 400, set()
    return render_template("teach/preview.html", lesson=lesson, course=lesson.course, version=version,
                           question_id=question_id, form=form, result=result, error=error,
                           chosen=chosen), status


@bp.get("/lessons/<slug:slug>/questions/<slug:question_id>/history")
@teacher_required
def question_history(slug: str, question_id: str):
    """Every bank revision that changed this question; also for a retired question."""
    lesson = lesson_or_404(slug)
    changes = authoring.question_history(lesson, question_id)
    if not changes:
        abort(404)
    bank = authoring.quiz_bank(lesson)
    return render_template("teach/question_history.html", lesson=lesson, course=lesson.course,
                           question_id=question_id, changes=[(c, diff_rows(c.lines)) for c in changes],
                           in_bank=question_id in bank.questions, form=CsrfForm(),
                           authors=authoring.author_names(c.revision.author_id for c in changes), problems=[])


@bp.post("/lessons/<slug:slug>/questions/<slug:question_id>/history/<int:number>/restore")
@teacher_required
def restore_question(slug: str, question_id: str, number: int):
    lesson = lesson_or_404(slug)
    if not CsrfForm().validate_on_submit():
        abort(400)
    result = authoring.restore_question(lesson, current_user.id, question_id, number)
    if result is None:
        abort(404)
    if not result.ok:
        return questions_page(lesson, result.problems, 409)
    flash(_("Question %(id)s is back as it was in revision %(n)s.", id=question_id, n=number), "success")
    return redirect(url_for("teach.question_history", slug=lesson.slug, question_id=question_id), 303)


def diff_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(kind, text) per line of a unified diff: 'added', 'removed', 'same' or 'hunk' (headers dropped)."""
    rows = []
    for line in lines:
        if line.startswith(("+++", "---")):
            continue
        if line.startswith("@@"):
            rows.append(("hunk", line))
        elif line.startswith("+"):
            rows.append(("added", line[1:]))
        elif line.startswith("-"):
            rows.append(("removed", line[1:]))
        else:
            rows.append(("same", line[1:]))
    return rows


# the other teacher pages register their routes on `bp`
from . import teach_import, teach_lessons  # noqa: E402, F401
