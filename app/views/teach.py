"""Teacher pages: dashboard, quiz editor with preview, lesson editor, history (diff, restore), course
members; and the admin's user list. Thin: parse the request, call `services.authoring`, render.

Access: anonymous visitors go to the login page, students get 403, and a teacher who does not hold
the course gets 404 (the lookups answer None), so nobody learns that someone else's course exists."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ..content.editing import draft_of
from ..content.interchange import export_quiz
from ..content.loader import MAX_FILE_BYTES
from ..content.model import Problem
from ..content.quizzes import parse_quiz
from ..content.render import RenderError, render_markdown
from ..content.site import glossary_url
from ..extensions import db
from ..learning.grading import InvalidResponse, grade
from ..models import Question
from ..services import authoring, content_store
from .access import admin_required, teacher_required
from .forms import CsrfForm
from .teach_forms import ImportForm, LessonForm, MemberForm, NewLessonForm, QuestionForm, RoleForm

bp = Blueprint("teach", __name__, url_prefix="/teach")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

MEMBER_ERRORS = {
    "unknown_user": _l("There is no account with this username"),
    "not_a_teacher": _l("Only teachers can edit a course: an admin can make this account a teacher first"),
    "last_owner": _l("A course keeps at least one owner: add another owner first"),
    "not_a_member": _l("This teacher does not edit this course"),
}
ROLE_ERRORS = {"last_admin": _l("This is the last admin: make another account admin first"),
               "unknown_role": _l("Choose a role")}
ROLE_NAMES = {"student": _l("Student"), "teacher": _l("Teacher"), "admin": _l("Admin")}
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


def questions_page(lesson, problems=(), status: int = 200):
    bank = authoring.quiz_bank(lesson)
    order = bank.layout.order if bank.layout else ()
    return render_template("teach/questions.html", lesson=lesson, course=lesson.course, bank=bank, order=order,
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
    return render_template("teach/question_form.html", lesson=lesson, course=lesson.course, form=form,
                           question_id=question_id, problems=problems, answered=answered), status


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


# --- import and export (issue 8) ---------------------------------------------------------------

@bp.route("/lessons/<slug:slug>/import", methods=["GET", "POST"])
@teacher_required
def import_questions(slug: str):
    """Upload or paste -> preview (questions, skipped, problems with lines, weight notes) -> confirm."""
    lesson = lesson_or_404(slug)
    form = ImportForm(goal_choices=goal_choices(lesson))
    preview, text, status = None, "", 200
    if request.method == "POST":
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                abort(400)
            status = 400
        else:
            text = uploaded_text(form)
            if text is None:
                status = 400
            else:
                preview = authoring.import_preview(lesson, text, form.format.data, tuple(form.goals.data or ()))
                if request.form.get("action") == "confirm":
                    if not preview.plan.questions:
                        form.text.errors.append(_("There is nothing new to import."))
                        status = 400
                    else:
                        outcome = authoring.store_import(preview, current_user.id, form.message.data or "")
                        if outcome.stored:
                            flash(ngettext("%(num)s question imported.", "%(num)s questions imported.",
                                           len(outcome.questions)), "success")
                            return redirect(url_for("teach.questions", slug=lesson.slug), 303)
                        return render_template("teach/import.html", lesson=lesson, course=lesson.course, form=form,
                                               preview=preview, text=text, problems=outcome.problems), 400
    return render_template("teach/import.html", lesson=lesson, course=lesson.course, form=form, preview=preview,
                           text=text, problems=[]), status


def uploaded_text(form: ImportForm) -> str | None:
    """The uploaded file's text, else the pasted text; None (with the error on the field) if unusable."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        data = upload.read(authoring.MAX_IMPORT_BYTES + 1)
        if len(data) > authoring.MAX_IMPORT_BYTES:
            form.file.errors = [_("The file is larger than 300 kB.")]
            return None
        text, bad_line = authoring.decode_upload(data)
        if text is None:
            form.file.errors = [_("The file is not UTF-8 text (line %(n)s). Save it as UTF-8 and try again.", n=bad_line)]
            return None
        return text
    if not (form.text.data or "").strip():
        form.file.errors = [_("Choose a file, or paste the questions")]
        return None
    return form.text.data.replace("\r\n", "\n")


EXPORT_TYPES = {"gift": "gift", "aiken": "txt", "markdown": "md"}


@bp.get("/lessons/<slug:slug>/export/<any(gift, aiken, markdown):text_format>")
@teacher_required
def export_questions(slug: str, text_format: str):
    """The lesson's quiz bank as a download (Aiken: single-choice questions only)."""
    lesson = lesson_or_404(slug)
    bank = authoring.quiz_bank(lesson)
    if bank.layout is None:
        abort(404)
    exported = export_quiz(parse_quiz(bank.path, bank.source), text_format)
    response = make_response(exported.text)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = (f'attachment; filename="{lesson.slug}.{EXPORT_TYPES[text_format]}"')
    if exported.left_out:
        response.headers["X-Lesmark-Left-Out"] = str(len(exported.left_out))
    return response


# --- lesson editor -----------------------------------------------------------------------------

@bp.route("/lessons/<slug:slug>/edit", methods=["GET", "POST"])
@teacher_required
def edit_lesson(slug: str):
    lesson = lesson_or_404(slug)
    path = authoring.document_path(lesson, "lesson")
    form = LessonForm()
    problems, status = [], 200
    if request.method == "GET":
        form.source.data = authoring.current_source(path) or ""
        form.slide.data = request.args.get("slide", 1, type=int) or 1
    elif not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        status = 400
    elif request.form.get("action") == "save":
        result = authoring.save_lesson(lesson, current_user.id, form.source.data, form.message.data or "")
        if result.ok:
            flash(_("Lesson saved."), "success")
            return redirect(url_for("teach.edit_lesson", slug=lesson.slug, slide=form.slide.data), 303)
        problems, status = result.problems, 400
    preview = slide_preview(lesson, path, form.source.data or "", form.slide.data or 1)
    if preview["problems"] and not problems:
        problems = preview["problems"]
        status = 400 if request.method == "POST" else status
    return render_template("teach/lesson_editor.html", lesson=lesson, course=lesson.course, form=form,
                           problems=problems, preview=preview), status


@bp.post("/lessons/<slug:slug>/edit/preview")
@teacher_required
def preview_slide(slug: str):
    """The preview of one slide of posted text, alone: the editor's script follows the cursor with it."""
    lesson = lesson_or_404(slug)
    number = request.form.get("slide", type=int)
    if number is None or not 1 <= number <= 10_000:
        abort(400)
    preview = slide_preview(lesson, authoring.document_path(lesson, "lesson"), request.form.get("source", ""), number)
    return render_template("teach/_slide_preview.html", lesson=lesson, preview=preview, standalone=True)


def slide_preview(lesson, path: str, text: str, number: int) -> dict:
    """The chosen slide of the (posted or stored) text, rendered and sanitised like sync does."""
    parsed, problems = authoring.lesson_preview(path, text)
    preview = {"problems": problems, "count": 0, "number": number, "html": "", "kind": None, "questions": []}
    if parsed is None:
        return preview
    preview["count"] = len(parsed.slides)
    if not 1 <= number <= len(parsed.slides):
        return preview
    slide = parsed.slides[number - 1]
    preview["kind"] = slide.kind
    if slide.kind == "checkpoint":
        preview["questions"] = list(slide.question_ids)
        return preview
    try:
        preview["html"] = render_markdown(slide.body, glossary_url(lesson.course.slug))
    except RenderError as exc:
        preview["problems"] = [Problem(path, slide.line, f"slide cannot be rendered: {exc}")]
    return preview


# --- history -----------------------------------------------------------------------------------

@bp.get(f"/lessons/<slug:slug>/history/<{KINDS}:kind>")
@teacher_required
def history(slug: str, kind: str):
    lesson = lesson_or_404(slug)
    return history_page(lesson, kind)


def history_page(lesson, kind: str, problems=(), status: int = 200):
    path = authoring.document_path(lesson, kind)
    revisions = content_store.revisions(path)
    return render_template("teach/history.html", lesson=lesson, course=lesson.course, kind=kind, path=path,
                           revisions=revisions, authors=authoring.author_names(r.author_id for r in revisions),
                           problems=problems, form=CsrfForm()), status


@bp.get(f"/lessons/<slug:slug>/history/<{KINDS}:kind>/diff")
@teacher_required
def diff(slug: str, kind: str):
    lesson = lesson_or_404(slug)
    old, new = request.args.get("a", type=int), request.args.get("b", type=int)
    if old is None or new is None:
        abort(400)
    path = authoring.document_path(lesson, kind)
    lines = content_store.compare(path, min(old, new), max(old, new))
    if lines is None:
        abort(404)
    return render_template("teach/diff.html", lesson=lesson, course=lesson.course, kind=kind,
                           old=min(old, new), new=max(old, new), rows=diff_rows(lines))


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


@bp.post(f"/lessons/<slug:slug>/history/<{KINDS}:kind>/<int:number>/restore")
@teacher_required
def restore(slug: str, kind: str, number: int):
    lesson = lesson_or_404(slug)
    if content_store.revision(authoring.document_path(lesson, kind), number) is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    result = authoring.restore(lesson, kind, number, current_user.id)
    if not result.ok:
        return history_page(lesson, kind, result.problems, 409)
    flash(_("Revision %(n)s restored as a new revision.", n=number), "success")
    return redirect(url_for("teach.history", slug=lesson.slug, kind=kind), 303)


# --- admin: accounts and roles -----------------------------------------------------------------

@admin_bp.get("/users")
@admin_required
def users():
    return users_page()


def users_page(status: int = 200, error: str | None = None):
    search = request.args.get("q", "")[:80]
    page = request.args.get("page", 1, type=int) or 1
    listing = authoring.list_users(search, page)
    return render_template("teach/users.html", listing=listing, search=search, role_form=RoleForm(formdata=None),
                           role_names=ROLE_NAMES, error=error), status


@admin_bp.post("/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        return users_page(400, _("Choose a role"))
    try:
        user = authoring.set_role(user_id, form.role.data)
    except authoring.AuthoringError as exc:
        if exc.reason == "unknown_user":
            abort(404)
        return users_page(409, str(ROLE_ERRORS.get(exc.reason, exc.reason)))
    flash(_("%(name)s is now: %(role)s.", name=user.username, role=ROLE_NAMES[user.role]), "success")
    return redirect(url_for("admin.users", q=request.args.get("q", ""), page=request.args.get("page", 1)), 303)
