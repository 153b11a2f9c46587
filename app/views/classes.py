"""Classes: teachers' class pages (join code, roster, co-teachers, assignments, gradebook, mastery
heat map, a student's record, exports) and the students' dashboard (join a class, assignments).

Access: a class's pages are for its teachers only; a teacher of another class gets 404, a student
403 (`teacher_required`), so nobody learns that a class exists. Thin: parse, call a service, render.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..learning import mastery as mastery_rules
from ..models import CountingRule, KeyReveal
from ..services import authoring, exports, paging, school_time
from ..services import classes as class_service
from ..services import gradebook as gradebook_service
from .access import teacher_required
from .forms import CsrfForm

bp = Blueprint("classes", __name__)

ID = "int(min=1, max=2147483647)"

CLASS_ERRORS = {
    "archived": _l("This class is archived: it can be read and exported, not changed"),
    "unknown_user": _l("There is no account with this username"),
    "not_a_teacher": _l("Only teachers can teach a class: an admin can make this account a teacher first"),
    "not_a_co_teacher": _l("This teacher is not a co-teacher of this class"),
    "not_a_student": _l("This student is not in this class"),
    "unknown_lesson": _l("Choose a lesson"),
    "already_assigned": _l("This lesson is already assigned to this class: change that assignment instead"),
    "unknown_attempt": _l("This attempt does not belong to this class"),
    "attempt_open": _l("This quiz is still open: it can be reset once it is handed in"),
    "reveal_needs_due": _l("Showing the answers after the due date needs a due date"),
    "attempts": _l("Enter a number of attempts from 1 to 100"),
    "counting": _l("Choose which attempt counts"),
    "pass_mark": _l("Enter a pass mark from 0 to 100"),
    "key_reveal": _l("Choose when students see the correct answers"),
}
STATUS_NAMES = {
    gradebook_service.NOT_STARTED: _l("Not started"),
    gradebook_service.IN_PROGRESS: _l("In progress"),
    gradebook_service.SUBMITTED: _l("Submitted"),
    gradebook_service.LATE: _l("Late"),
    gradebook_service.PASSED: _l("Passed"),
}
COUNTING_NAMES = {
    CountingRule.HIGHEST: _l("Highest score"), CountingRule.LATEST: _l("Latest attempt"),
    CountingRule.FIRST: _l("First attempt"), CountingRule.AVERAGE: _l("Average of all attempts"),
}
REVEAL_NAMES = {
    KeyReveal.IMMEDIATELY: _l("Right after handing in"), KeyReveal.AFTER_DUE: _l("After the due date"),
    KeyReveal.NEVER: _l("Never"),
}
METHOD_NAMES = {
    mastery_rules.LATEST: _l("Latest answer"), mastery_rules.HIGHEST: _l("Highest score"),
    mastery_rules.AVERAGE: _l("Average of all answers"),
    mastery_rules.DECAYING_AVERAGE: _l("Decaying average (newer answers weigh more)"),
    mastery_rules.N_CORRECT: _l("Mastered after N correct questions"),
}


# --- forms -----------------------------------------------------------------------------------------

def choices(names: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in names.items()]


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class ClassForm(FlaskForm):
    name = StringField(_l("Name of the class"), filters=[_stripped],
                       validators=[DataRequired(_l("Enter a name for the class")),
                                   Length(max=120, message=_l("At most 120 characters"))])


class JoinForm(FlaskForm):
    code = StringField(_l("Join code"), filters=[_stripped],
                       description=_l("Your teacher gives you a code such as ABCD-EFGH."),
                       validators=[DataRequired(_l("Enter the join code")),
                                   Length(max=32, message=_l("That is not a join code"))])


class TeacherForm(FlaskForm):
    username = StringField(_l("Username of the teacher"), filters=[_stripped],
                           validators=[DataRequired(_l("Enter a username")), Length(max=40)])


class AssignmentForm(FlaskForm):
    lesson = SelectField(_l("Lesson"), validators=[InputRequired(_l("Choose a lesson"))])
    due_at = DateTimeLocalField(_l("Due (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    attempts_mode = RadioField(_l("Attempts allowed at the final quiz"), default="unlimited", choices=[
        SelectChoice("one", _l("One attempt")), SelectChoice("n", _l("A number of attempts")),
        SelectChoice("unlimited", _l("Unlimited"))],
        validators=[InputRequired(_l("Choose how many attempts are allowed"))])
    attempts = IntegerField(_l("Number of attempts"), default=2, validators=[Optional()])
    counting = RadioField(_l("Which attempt counts"), default=CountingRule.HIGHEST,
                          choices=choices(COUNTING_NAMES),
                          validators=[InputRequired(_l("Choose which attempt counts"))])
    pass_mark = IntegerField(_l("Pass mark (percent)"), default=60, validators=[
        InputRequired(_l("Enter a pass mark from 0 to 100")),
        NumberRange(0, 100, _l("Enter a pass mark from 0 to 100"))])
    key_reveal = RadioField(_l("When students see the correct answers of the final quiz"),
                            default=KeyReveal.IMMEDIATELY, choices=choices(REVEAL_NAMES),
                            validators=[InputRequired(_l("Choose when students see the correct answers"))])

    def validate_attempts(self, field):
        if self.attempts_mode.data == "n" and (field.data is None or not 1 <= field.data <= 100):
            raise ValidationError(_l("Enter a number of attempts from 1 to 100"))

    def validate_due_at(self, field):
        if self.key_reveal.data == KeyReveal.AFTER_DUE and field.data is None:
            raise ValidationError(_l("Showing the answers after the due date needs a due date"))
        if field.data is not None:
            try:
                school_time.to_utc(field.data, school_zone())
            except school_time.NonexistentTime:
                raise ValidationError(_("This time does not exist in %(zone)s: the clocks go forward then. "
                                        "Choose another time.", zone=school_zone())) from None

    def policy(self) -> class_service.Policy:
        """The assignment as entered, its due date (school time in the form) in UTC."""
        allowed = {"one": 1, "n": self.attempts.data, "unlimited": None}[self.attempts_mode.data]
        due_at = None if self.due_at.data is None else school_time.to_utc(self.due_at.data, school_zone())
        return class_service.Policy(self.lesson.data, due_at, allowed, self.counting.data,
                                    self.pass_mark.data, self.key_reveal.data)


def school_zone() -> str:
    """The school's time zone (LESMARK_TIMEZONE), in which due dates are entered and shown."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


class MasteryForm(FlaskForm):
    method = RadioField(_l("Mastery method"), choices=choices(METHOD_NAMES),
                        validators=[InputRequired(_l("Choose a mastery method"))])
    decay_weight = FloatField(_l("Weight of the newest answer (decaying average)"), default=0.65,
                              description=_l("Between 0.05 and 1; 0.65 means the newest answer counts for %(pct)s%%.", pct=65),
                              validators=[InputRequired(_l("Enter a weight between 0.05 and 1")),
                                          NumberRange(0.05, 1, _l("Enter a weight between 0.05 and 1"))])
    n_correct = IntegerField(_l("N: questions fully right to master a goal"), default=3, validators=[
        InputRequired(_l("Enter a number from 1 to 20")), NumberRange(1, 20, _l("Enter a number from 1 to 20"))])


# --- lookups ---------------------------------------------------------------------------------------

def class_or_404(class_id: int):
    group = class_service.teacher_class(current_user, class_id)
    if group is None:
        abort(404)
    return group


def lesson_choices():
    return [SelectChoice("", _("Choose a lesson"))] + [
        SelectChoice(lesson.slug, lesson.title) for lesson in class_service.assignable_lessons()]


def class_page(group, status=200, **forms):
    forms.setdefault("teacher_form", TeacherForm(prefix="teacher"))
    return render_template(
        "classes/class.html", group=group, code=class_service.format_code(group.join_code),
        teachers=class_service.class_teachers(group), students=class_service.roster(group),
        assignments=class_service.assignments(group), counting_names=COUNTING_NAMES, reveal_names=REVEAL_NAMES,
        form=CsrfForm(), **forms), status


def refuse(group, error: class_service.ClassError):
    flash(CLASS_ERRORS.get(error.reason, error.reason), "error")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


def csrf_or_400():
    if not CsrfForm().validate_on_submit():
        abort(400)


# --- teachers: classes -----------------------------------------------------------------------------

@bp.get("/classes/")
@teacher_required
def index():
    return render_template("classes/index.html", classes=class_service.teacher_classes(current_user.id),
                           class_form=ClassForm(), format_code=class_service.format_code)


@bp.post("/classes/")
@teacher_required
def create():
    form = ClassForm()
    if not form.validate_on_submit():
        return render_template("classes/index.html", classes=class_service.teacher_classes(current_user.id),
                               class_form=form, format_code=class_service.format_code), 400
    group = class_service.create_class(current_user.id, form.name.data)
    flash(_("Class created. Give your students the join code."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


@bp.get(f"/classes/<{ID}:class_id>/")
@teacher_required
def show(class_id: int):
    return class_page(class_or_404(class_id))


@bp.post(f"/classes/<{ID}:class_id>/code")
@teacher_required
def change_code(class_id: int):
    group = class_or_404(class_id)
    csrf_or_400()
    action = request.form.get("action")
    if action not in ("regenerate", "close", "open"):
        abort(400)
    try:
        if action == "regenerate":
            class_service.regenerate_code(group)
            flash(_("New join code made: the old one no longer works."), "success")
        else:
            class_service.set_code_open(group, action == "open")
            flash(_("The join code works again.") if action == "open" else _("The join code is closed."), "success")
    except class_service.ClassError as error:
        return refuse(group, error)
    return redirect(url_for("classes.show", class_id=group.id), code=303)


@bp.post(f"/classes/<{ID}:class_id>/archive")
@teacher_required
def archive(class_id: int):
    group = class_or_404(class_id)
    csrf_or_400()
    archived = request.form.get("archived")
    if archived not in ("0", "1"):
        abort(400)
    class_service.set_archived(group, archived == "1")
    flash(_("Class archived: read-only and hidden from your students.") if archived == "1"
          else _("Class active again."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


@bp.post(f"/classes/<{ID}:class_id>/teachers")
@teacher_required
def add_teacher(class_id: int):
    group = class_or_404(class_id)
    form = TeacherForm(prefix="teacher")
    if not form.validate_on_submit():
        return class_page(group, 400, teacher_form=form)
    try:
        user = class_service.add_co_teacher(group, form.username.data)
    except class_service.ClassError as error:
        form.username.errors = [CLASS_ERRORS[error.reason]]
        return class_page(group, 400, teacher_form=form)
    flash(_("%(name)s now teaches this class too.", name=user.display_name), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


@bp.post(f"/classes/<{ID}:class_id>/teachers/<{ID}:user_id>/remove")
@teacher_required
def remove_teacher(class_id: int, user_id: int):
    group = class_or_404(class_id)
    csrf_or_400()
    try:
        class_service.remove_co_teacher(group, user_id)
    except class_service.ClassError as error:
        if error.reason == "not_a_co_teacher":
            abort(404)
        return refuse(group, error)
    flash(_("Co-teacher removed."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


@bp.post(f"/classes/<{ID}:class_id>/students/<{ID}:user_id>/remove")
@teacher_required
def remove_student(class_id: int, user_id: int):
    group = class_or_404(class_id)
    csrf_or_400()
    try:
        class_service.remove_student(group, user_id)
    except class_service.ClassError as error:
        if error.reason == "not_a_student":
            abort(404)
        return refuse(group, error)
    flash(_("Student removed from the class."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


# --- teachers: assignments -------------------------------------------------------------------------

def assignment_form(**kwargs) -> AssignmentForm:
    form = AssignmentForm(**kwargs)
    form.lesson.choices = lesson_choices()
    form.due_at.description = _("Date and time in the school's time zone: %(zone)s.", zone=school_zone())
    return form


def assignment_page(group, form, assignment=None, status=200):
    return render_template("classes/assignment_form.html", group=group, form=form, assignment=assignment), status


@bp.route(f"/classes/<{ID}:class_id>/assignments/new", methods=["GET", "POST"])
@teacher_required
def new_assignment(class_id: int):
    group = class_or_404(class_id)
    if group.archived:
        return refuse(group, class_service.ClassError("archived"))
    form = assignment_form()
    if request.method == "GET":
        return assignment_page(group, form)
    if not form.validate_on_submit():
        return assignment_page(group, form, status=400)
    try:
        class_service.assign_lesson(group, form.policy())
    except class_service.ClassError as error:
        form.lesson.errors = [CLASS_ERRORS[error.reason]]
        return assignment_page(group, form, status=400)
    flash(_("Lesson assigned."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


def assignment_or_404(group, assignment_id: int):
    assignment = class_service.class_assignment(group, assignment_id)
    if assignment is None:
        abort(404)
    return assignment


@bp.route(f"/classes/<{ID}:class_id>/assignments/<{ID}:assignment_id>/edit", methods=["GET", "POST"])
@teacher_required
def edit_assignment(class_id: int, assignment_id: int):
    group = class_or_404(class_id)
    assignment = assignment_or_404(group, assignment_id)
    if request.method == "GET":
        allowed = assignment.attempts_allowed
        form = assignment_form(data={
            "lesson": assignment.lesson.slug,
            "due_at": assignment.due_at and school_time.from_utc(assignment.due_at, school_zone()),
            "attempts_mode": "unlimited" if allowed is None else "one" if allowed == 1 else "n",
            "attempts": allowed or 2, "counting": assignment.counting, "pass_mark": assignment.pass_mark,
            "key_reveal": assignment.key_reveal})
        return assignment_page(group, form, assignment)
    form = assignment_form()
    form.lesson.data = assignment.lesson.slug  # the lesson of an assignment never changes
    if not form.validate_on_submit():
        return assignment_page(group, form, assignment, 400)
    try:
        class_service.update_assignment(group, assignment, form.policy())
    except class_service.ClassError as error:
        if error.reason == "archived":
            return refuse(group, error)
        form.lesson.errors = [CLASS_ERRORS[error.reason]]
        return assignment_page(group, form, assignment, 400)
    flash(_("Assignment saved."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


@bp.post(f"/classes/<{ID}:class_id>/assignments/<{ID}:assignment_id>/remove")
@teacher_required
def remove_assignment(class_id: int, assignment_id: int):
    group = class_or_404(class_id)
    assignment = assignment_or_404(group, assignment_id)
    csrf_or_400()
    try:
        class_service.remove_assignment(group, assignment)
    except class_service.ClassError as error:
        return refuse(group, error)
    flash(_("Assignment removed; the students' attempts stay in their history."), "success")
    return redirect(url_for("classes.show", class_id=group.id), code=303)


# --- teachers: gradebook, heat map, a student's record, exports ------------------------------------

@bp.get(f"/classes/<{ID}:class_id>/gradebook")
@teacher_required
def gradebook(class_id: int):
    group = class_or_404(class_id)
    book = gradebook_service.gradebook_page(group, request.args.get("sort", gradebook_service.SORT_DEFAULT)[:40],
                                            **page_args())
    return render_template("classes/gradebook.html", group=group, book=book, status_names=STATUS_NAMES)


def page_args() -> dict:
    """Page, page size and name filter of a roster page, as typed: the service brings them within bounds."""
    return {"page": request.args.get("page"), "per_page": request.args.get("per_page"),
            "query": paging.clean_query(request.args.get("q"))}


@bp.get(f"/classes/<{ID}:class_id>/mastery")
@teacher_required
def heat_map(class_id: int):
    group = class_or_404(class_id)
    courses = _courses_of_heat(group)
    editable = {cid for cid, course in courses.items() if authoring.course_role(current_user, course)}
    return render_template("classes/heat_map.html", group=group, heat=gradebook_service.heat_map(group, **page_args()),
                           method_names=METHOD_NAMES, courses=courses, editable=editable)


def _courses_of_heat(group):
    return gradebook_service.courses_of(lesson for _, lesson in gradebook_service.assigned_lessons(group))


def roster_student_or_404(group, user_id: int):
    student = gradebook_service.roster_student(group, user_id)
    if student is None:
        abort(404)
    return student


@bp.get(f"/classes/<{ID}:class_id>/students/<{ID}:user_id>")
@teacher_required
def student(class_id: int, user_id: int):
    group = class_or_404(class_id)
    record = gradebook_service.student_record(group, roster_student_or_404(group, user_id))
    return render_template("classes/student.html", group=group, record=record, status_names=STATUS_NAMES,
                           method_names=METHOD_NAMES, form=CsrfForm())


@bp.post(f"/classes/<{ID}:class_id>/students/<{ID}:user_id>/attempts/<{ID}:attempt_id>/reset")
@teacher_required
def reset_attempt(class_id: int, user_id: int, attempt_id: int):
    group = class_or_404(class_id)
    roster_student_or_404(group, user_id)
    csrf_or_400()
    try:
        class_service.reset_attempt(group, user_id, attempt_id, current_user.id)
    except class_service.ClassError as error:
        if error.reason == "unknown_attempt":
            abort(404)
        flash(CLASS_ERRORS[error.reason], "error")
        return redirect(url_for("classes.student", class_id=group.id, user_id=user_id), code=303)
    flash(_("Attempt reset: it stays in the history and no longer counts."), "success")
    return redirect(url_for("classes.student", class_id=group.id, user_id=user_id), code=303)


@bp.get(f"/classes/<{ID}:class_id>/attempts/<{ID}:attempt_id>")
@teacher_required
def attempt(class_id: int, attempt_id: int):
    group = class_or_404(class_id)
    found = gradebook_service.class_attempt(group, attempt_id)
    if found is None:
        abort(404)
    student = gradebook_service.roster_student(group, found.user_id)
    return render_template("classes/attempt.html", group=group, attempt=found, student=student,
                           answers=gradebook_service.attempt_answers(found),
                           reset=gradebook_service.is_reset(found.id))


def csv_response(text: str, name: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def export_name(group, what: str) -> str:
    return f"class-{group.id}-{what}-{datetime.now().strftime('%Y%m%d')}.csv"


@bp.get(f"/classes/<{ID}:class_id>/export/gradebook.csv")
@teacher_required
def export_gradebook(class_id: int):
    group = class_or_404(class_id)
    names = {key: str(value) for key, value in STATUS_NAMES.items()}
    return csv_response(exports.gradebook_csv(group, names), export_name(group, "gradebook"))


@bp.get(f"/classes/<{ID}:class_id>/export/responses.csv")
@teacher_required
def export_responses(class_id: int):
    group = class_or_404(class_id)
    return csv_response(exports.responses_csv(group, school_zone()),
                        export_name(group, "responses"))


# --- teachers: a course's mastery method -----------------------------------------------------------

@bp.route("/classes/courses/<slug:slug>/mastery", methods=["GET", "POST"])
@teacher_required
def course_mastery(slug: str):
    course = authoring.editable_course(current_user, slug)
    if course is None:
        abort(404)
    current = gradebook_service.course_methods([course.id])[course.id]
    form = MasteryForm(data={"method": current.method, "decay_weight": current.decay_weight,
                             "n_correct": current.n_correct} if request.method == "GET" else None)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("classes/course_mastery.html", course=course, form=form), 400
        class_service.set_mastery_method(course.id, form.method.data, form.decay_weight.data, form.n_correct.data)
        flash(_("Mastery method saved: every progress page and heat map of this course uses it now."), "success")
        return redirect(url_for("classes.course_mastery", slug=course.slug), code=303)
    return render_template("classes/course_mastery.html", course=course, form=form)


# --- students: dashboard ---------------------------------------------------------------------------

def dashboard_page(join_form=None, status=200):
    return render_template(
        "classes/dashboard.html", classes=class_service.student_classes(current_user.id),
        assignments=gradebook_service.student_assignments(current_user.id), status_names=STATUS_NAMES,
        join_form=join_form or JoinForm()), status


@bp.get("/dashboard")
@login_required
def dashboard():
    return dashboard_page()


@bp.post("/dashboard/join")
@login_required
def join():
    form = JoinForm()
    if not form.validate_on_submit():
        return dashboard_page(form, 400)
    result = class_service.join_class(current_user.id, form.code.data, request.remote_addr or "")
    if result.outcome in ("joined", "already"):
        flash(_("You are in the class %(name)s.", name=result.group.name) if result.outcome == "joined"
              else _("You were already in the class %(name)s.", name=result.group.name), "success")
        return redirect(url_for("classes.dashboard"), code=303)
    if result.outcome == "throttled":
        form.code.errors = [_("Too many wrong codes. Try again after %(time)s.",
                              time=format_datetime(result.retry_at, "short"))]
        return dashboard_page(form, 429)
    form.code.errors = [{
        "wrong": _("No class has this code. Check it with your teacher: letters and digits, such as ABCD-EFGH."),
        "closed": _("This class no longer takes new students with this code. Ask your teacher for a new code."),
        "archived": _("This class is archived and takes no new students."),
    }[result.outcome]]
    return dashboard_page(form, 400 if result.outcome == "wrong" else 409)
