"""Forms of the teacher pages. They check what a teacher can get wrong, next to the field; the
content store then checks the whole file exactly as `flask content check` does."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..content.editing import QuestionDraft
from ..content.quizzes import (
    MAX_FEEDBACK_CHARS,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_POINTS,
    MAX_QUESTION_GOALS,
    MAX_RATIONALE_CHARS,
    MAX_SOURCE_CHARS,
    MAX_STEM_CHARS,
    MIN_OPTIONS,
    MIN_POINTS,
)
from ..models import ROLES

OPTION_ROWS = MAX_OPTIONS  # a fixed number of rows: works without JavaScript; empty rows are ignored
MAX_MESSAGE_CHARS = 500
MAX_LESSON_CHARS = 300_000  # the content store's file limit


def one_line_text(value):
    """Options and feedback are one line in a quiz file: line breaks become spaces."""
    return " ".join(value.split()) if isinstance(value, str) else value


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(form, field):
    if isinstance(field.data, str) and any(ord(c) < 32 and c not in "\n\r\t" for c in field.data):
        raise ValidationError(_l("Remove the invisible control characters from this text"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OptionForm(Form):
    text = StringField(_l("Answer option"), filters=[one_line_text],
                       validators=[Length(max=MAX_OPTION_CHARS, message=_l("An option can be at most %(max)d characters long")),
                                   no_control_characters])
    correct = BooleanField(_l("Correct"))
    feedback = StringField(_l("Feedback for this option"), filters=[one_line_text],
                           validators=[Length(max=MAX_FEEDBACK_CHARS,
                                              message=_l("Feedback can be at most %(max)d characters long")),
                                       no_control_characters])


class QuestionForm(FlaskForm):
    type = RadioField(_l("Question type"), choices=[
        SelectChoice("single", _l("Single choice: exactly one correct option")),
        SelectChoice("multiple", _l("Multiple response: two or more correct options")),
        SelectChoice("truefalse", _l("True or false: two options, one correct")),
    ], validators=[InputRequired(_l("Choose a question type"))])
    stem = TextAreaField(_l("Question"), description=_l("Markdown. What the student reads above the options."),
                         filters=[stripped],
                         validators=[DataRequired(_l("Enter the question")),
                                     Length(max=MAX_STEM_CHARS, message=_l("The question can be at most %(max)d characters long")),
                                     no_control_characters])
    options = FieldList(FormField(OptionForm), min_entries=OPTION_ROWS, max_entries=OPTION_ROWS)
    goals = MultiCheckboxField(_l("Learning goals"), description=_l("The goals this question counts for."))
    general_feedback = TextAreaField(_l("General feedback"),
                                     description=_l("Markdown, one paragraph. Students see it under the options once "
                                                    "the question is graded, with the answer key."),
                                     filters=[one_line_text],
                                     validators=[Length(max=MAX_FEEDBACK_CHARS,
                                                        message=_l("The general feedback can be at most %(max)d "
                                                                   "characters long")),
                                                 no_control_characters])
    points = IntegerField(_l("Points"), default=1,
                          description=_l("What the question weighs in the final quiz, 1 to 100."),
                          validators=[Optional(), NumberRange(min=MIN_POINTS, max=MAX_POINTS,
                                                              message=_l("Points are a whole number from 1 to 100"))])
    rationale = TextAreaField(_l("Rationale (for reviewers)"),
                              description=_l("Why the key is right. Teachers and reviewers see it; students do not."),
                              filters=[one_line_text],
                              validators=[Length(max=MAX_RATIONALE_CHARS,
                                                 message=_l("The rationale can be at most %(max)d characters long")),
                                          no_control_characters])
    source = StringField(_l("Source (optional)"), description=_l("Where the content comes from, for reviewers."),
                         filters=[one_line_text],
                         validators=[Length(max=MAX_SOURCE_CHARS, message=_l("The source can be at most %(max)d characters long")),
                                     no_control_characters])
    fixed_order = BooleanField(_l("Keep the options in this order (do not shuffle them)"))
    in_final = BooleanField(_l("Use this question in the final quiz"))
    message = StringField(_l("What did you change? (optional)"), filters=[one_line_text],
                          validators=[Length(max=MAX_MESSAGE_CHARS, message=_l("Keep the message under %(max)d characters")),
                                      no_control_characters])

    def __init__(self, *args, goal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals.choices = [SelectChoice(value, label) for value, label in goal_choices]
        self.option_problem: tuple[str, str] | None = None  # (field id, message) about the options together

    def filled_options(self):
        return [entry.form for entry in self.options if entry.form.text.data]

    def validate_goals(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one learning goal"))
        if len(field.data) > MAX_QUESTION_GOALS:
            raise ValidationError(_l("Choose at most %(n)s learning goals", n=MAX_QUESTION_GOALS))

    def validate(self, extra_validators=None) -> bool:
        # goals' own choice check would say "Not a valid choice" in English only
        self.goals.pre_validate = lambda form: self._known_goals()
        valid = super().validate(extra_validators)
        return self._validate_options() and valid

    def _known_goals(self):
        known = {choice.value for choice in self.goals.choices}
        if any(value not in known for value in self.goals.data or ()):
            raise ValidationError(_l("Choose goals of this lesson only"))

    def _validate_options(self) -> bool:
        ok = True
        seen: dict[str, int] = {}
        for index, entry in enumerate(self.options):
            row = entry.form
            if not row.text.data:
                if row.feedback.data or row.correct.data:
                    row.text.errors.append(_l("Enter the option text, or clear this row"))
                    ok = False
                continue
            if not row.feedback.data:
                row.feedback.errors.append(_l("Enter feedback for this option"))
                ok = False
            key = row.text.data.casefold()
            if key in seen:
                row.text.errors.append(_l("This option is the same as option %(n)s", n=seen[key] + 1))
                ok = False
            seen.setdefault(key, index)
        filled = self.filled_options()
        keys = sum(1 for row in filled if row.correct.data)
        message = None
        if len(filled) < MIN_OPTIONS:
            message = _l("Enter at least %(n)s options", n=MIN_OPTIONS)
        elif keys == 0:
            message = _l("Mark the correct option")
        elif self.type.data == "single" and keys > 1:
            message = _l("A single-choice question has exactly one correct option; you marked %(n)s "
                         "(or choose multiple response)", n=keys)
        elif self.type.data == "truefalse" and (len(filled) != 2 or keys != 1):
            message = _l("A true-or-false question has exactly two options, one of them correct")
        elif self.type.data == "multiple" and keys < 2:
            message = _l("A multiple-response question needs at least two correct options (or choose single choice)")
        elif self.type.data == "multiple" and keys == len(filled):
            message = _l("A multiple-response question needs at least one wrong option")
        if message is not None:
            self.option_problem = (self.options.entries[0].form.text.id if self.options.entries else "options", message)
            ok = False
        return ok

    def draft(self) -> QuestionDraft:
        return QuestionDraft(
            type=self.type.data, stem=self.stem.data.replace("\r\n", "\n"),
            options=tuple((row.text.data, bool(row.correct.data), row.feedback.data) for row in self.filled_options()),
            goals=tuple(self.goals.data), rationale=self.rationale.data or "", source=self.source.data or "",
            fixed_order=bool(self.fixed_order.data), feedback=self.general_feedback.data or "",
            points=self.points.data or 1)

    def fill_from(self, draft: QuestionDraft, in_final: bool) -> None:
        self.type.data = draft.type
        self.stem.data = draft.stem
        self.goals.data = list(draft.goals)
        self.rationale.data = draft.rationale
        self.general_feedback.data = draft.feedback
        self.points.data = draft.points
        self.source.data = draft.source
        self.fixed_order.data = draft.fixed_order
        self.in_final.data = in_final
        for entry, (text, correct, feedback) in zip(self.options.entries, draft.options, strict=False):
            entry.form.text.data, entry.form.correct.data, entry.form.feedback.data = text, correct, feedback

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order of the page."""
        items = []
        for field in (self.type, self.stem):
            items += [(field.id, str(e)) for e in field.errors]
        if self.option_problem:
            items.append((self.option_problem[0], str(self.option_problem[1])))
        for entry in self.options:
            for sub in (entry.form.text, entry.form.feedback):
                items += [(sub.id, str(e)) for e in sub.errors]
        for field in (self.goals, self.general_feedback, self.points, self.rationale, self.source, self.message):
            items += [(field.id, str(e)) for e in field.errors]
        return items


class LessonForm(FlaskForm):
    source = TextAreaField(_l("Lesson (Markdown)"),
                           validators=[DataRequired(_l("The lesson cannot be empty")),
                                       Length(max=MAX_LESSON_CHARS,
                                              message=_l("The lesson can be at most %(max)d characters long"))])
    slide = IntegerField(_l("Slide to preview"), default=1,
                         validators=[Optional(), NumberRange(min=1, max=10_000, message=_l("Enter a slide number"))])
    message = StringField(_l("What did you change? (optional)"), filters=[one_line_text],
                          validators=[Length(max=MAX_MESSAGE_CHARS, message=_l("Keep the message under %(max)d characters"))])


class NewLessonForm(FlaskForm):
    title = StringField(_l("Title"), filters=[one_line_text],
                        validators=[DataRequired(_l("Enter a title")),
                                    Length(max=300, message=_l("The title can be at most %(max)d characters long")),
                                    no_control_characters])
    lesson_id = StringField(_l("Lesson id"), filters=[stripped],
                            description=_l("Lowercase letters, digits and hyphens, for example nl-l4. It never changes: "
                                           "progress hangs on it."),
                            validators=[DataRequired(_l("Enter a lesson id")), Length(max=60, message=_l(
                                "The id can be at most %(max)d characters long")),
                                Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                                       message=_l("Use lowercase letters, digits and single hyphens only"))])
    minutes = IntegerField(_l("Minutes"), default=15,
                           validators=[InputRequired(_l("Enter the minutes the lesson takes")),
                                       NumberRange(min=1, max=600, message=_l("Enter a number from 1 to 600"))])
    goal = TextAreaField(_l("First learning goal"), description=_l("You can add more goals in the lesson editor."),
                         filters=[one_line_text],
                         validators=[DataRequired(_l("Enter a learning goal")),
                                     Length(max=500, message=_l("A goal can be at most %(max)d characters long")),
                                     no_control_characters])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role) for role in ROLES],
                       validators=[InputRequired(_l("Choose a role"))])


class MemberForm(FlaskForm):
    username = StringField(_l("Username of the teacher"), filters=[stripped],
                           validators=[DataRequired(_l("Enter a username")), Length(max=40)])
    role = RadioField(_l("Course role"), default="editor", choices=[
        SelectChoice("editor", _l("Co-editor")), SelectChoice("owner", _l("Owner"))], validators=[InputRequired(_l("Choose a course role"))])


class ImportForm(FlaskForm):
    """Upload (or paste) a question file, see what it holds, then confirm."""

    file = FileField(_l("File to import"), description=_l("A text file in UTF-8, at most 300 kB."))
    text = TextAreaField(_l("Or paste the questions here"),
                         validators=[Length(max=300_000, message=_l("At most %(max)d characters can be imported at once"))])
    format = RadioField(_l("Format of the file"), choices=[
        SelectChoice("gift", _l("Moodle GIFT")), SelectChoice("aiken", _l("Aiken")),
        SelectChoice("markdown", _l("Lesmark Markdown"))], validators=[InputRequired(_l("Choose the format of the file"))])
    goals = MultiCheckboxField(_l("Learning goals"),
                               description=_l("For questions whose file names none of this lesson's goals. "
                                              "Choose none to use every goal of the lesson."))
    message = StringField(_l("What did you change? (optional)"), filters=[one_line_text],
                          validators=[Length(max=MAX_MESSAGE_CHARS, message=_l("Keep the message under %(max)d characters"))])

    def __init__(self, *args, goal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals.choices = [SelectChoice(value, label) for value, label in goal_choices]

    def validate_goals(self, field):
        known = {choice.value for choice in field.choices}
        if any(value not in known for value in field.data or ()):
            raise ValidationError(_l("Choose goals of this lesson only"))

    def validate(self, extra_validators=None) -> bool:
        self.goals.pre_validate = lambda form: None  # our own message, in validate_goals
        return super().validate(extra_validators)
