"""Marshmallow schemas of the JSON API: they validate input and generate the OpenAPI document."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

MAX_ROW_ID = 2**31 - 1


class UtcDateTime(fields.DateTime):
    """A time as RFC 3339 with its offset. Times are stored in UTC without a zone, and a date-time
    without an offset would be read as local time by a client."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.List(fields.Dict(keys=fields.String(), values=fields.String()),
                         metadata={"description": "validation errors: {field, message}"})


class CourseFacts(Schema):
    """What every answer about a course says of it."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    language = fields.String(required=True)
    level = fields.String(required=True)
    description = fields.String(required=True)


class CourseSummary(CourseFacts):
    lessons = fields.Integer(required=True, metadata={"description": "number of lessons"})
    minutes = fields.Integer(required=True)
    goals = fields.Integer(required=True, metadata={"description": "number of learning goals"})


class CourseList(Schema):
    courses = fields.List(fields.Nested(CourseSummary), required=True)


class LessonFacts(Schema):
    """What every answer about a lesson says of it."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    language = fields.String(required=True)
    minutes = fields.Integer(required=True)


class LessonBrief(LessonFacts):
    position = fields.Integer(required=True)
    slides = fields.Integer(required=True)


class CourseDetail(CourseFacts):
    lessons = fields.List(fields.Nested(LessonBrief), required=True)


class ShownOption(Schema):
    position = fields.Integer(required=True, metadata={"description": "0-based position as shown; answer with it"})
    html = fields.String(required=True)


class ShownQuestion(Schema):
    """A question with its options in the order this student sees them."""

    type = fields.String(required=True, metadata={"description": "single, multiple or truefalse"})
    stem_html = fields.String(required=True)
    options = fields.List(fields.Nested(ShownOption), required=True)


class CheckpointQuestion(ShownQuestion):
    """A slide's checkpoint question: never with its answer key."""


class Slide(Schema):
    position = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "content or question"})
    title = fields.String(required=True)
    body_html = fields.String(required=True)
    notes_html = fields.String(allow_none=True, required=True,
                               metadata={"description": "speaker notes; null unless the token's owner is a teacher"})
    question = fields.Nested(CheckpointQuestion, allow_none=True, required=True)


class Goal(Schema):
    slug = fields.String(required=True)
    text = fields.String(required=True)


class LessonDetail(LessonFacts):
    course = fields.String(required=True, metadata={"description": "the course's slug"})
    goals = fields.List(fields.Nested(Goal), required=True)
    slides = fields.List(fields.Nested(Slide), required=True)


class GoalProgress(Goal):
    status = fields.String(required=True)
    mastery = fields.Float(required=True, metadata={"description": "0 to 1"})
    answered = fields.Integer(required=True)
    total = fields.Integer(required=True)
    fraction_correct = fields.Float(required=True)


class LessonProgress(Schema):
    lesson = fields.String(required=True)
    title = fields.String(required=True)
    goals = fields.List(fields.Nested(GoalProgress), required=True)


class Progress(Schema):
    lessons = fields.List(fields.Nested(LessonProgress), required=True)


class AttemptQuestion(ShownQuestion):
    slot = fields.Integer(required=True)
    selected = fields.List(fields.Integer(), allow_none=True, required=True,
                           metadata={"description": "positions chosen; null before submission"})
    score = fields.Float(allow_none=True, required=True,
                         metadata={"description": "the fraction right (0-1); the attempt's score adds it times points"})
    points = fields.Integer(required=True, metadata={"description": "what the question weighs (1-100)"})
    correct = fields.List(fields.Integer(), allow_none=True, required=True,
                          metadata={"description": "correct positions; null unless the answer key may be shown"})
    feedback_html = fields.List(fields.String(), allow_none=True, required=True,
                                metadata={"description": "feedback per position; null unless the key may be shown"})
    general_feedback_html = fields.String(allow_none=True, required=True,
                                          metadata={"description": "the question's general feedback ('' when none); "
                                                                   "null unless the key may be shown"})


class Attempt(Schema):
    id = fields.Integer(required=True)
    lesson = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "open or submitted"})
    started_at = UtcDateTime(required=True)
    submitted_at = UtcDateTime(allow_none=True, required=True)
    score = fields.Float(allow_none=True, required=True)
    max_score = fields.Integer(allow_none=True, required=True)
    percent = fields.Float(allow_none=True, required=True)
    key_visible = fields.Boolean(required=True)
    key_reveal_at = UtcDateTime(allow_none=True, required=True)
    questions = fields.List(fields.Nested(AttemptQuestion), required=True)


class Answer(Schema):
    slot = fields.Integer(required=True, strict=True, validate=validate.Range(1, 1000))
    selected = fields.List(fields.Integer(strict=True, validate=validate.Range(0, 100)), required=True,
                           validate=validate.Length(max=100))


class Submission(Schema):
    answers = fields.List(fields.Nested(Answer), required=True, validate=validate.Length(max=1000))
    allow_unanswered = fields.Boolean(load_default=False,
                                      metadata={"description": "hand in with unanswered questions (they score 0)"})


class GradebookCell(Schema):
    assignment = fields.Integer(required=True)
    status = fields.String(required=True)
    late = fields.Boolean(required=True)
    percent = fields.Float(allow_none=True, required=True)
    submitted = fields.Integer(required=True)
    reset = fields.Integer(required=True)


class GradebookStudent(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    cells = fields.List(fields.Nested(GradebookCell), required=True)


class GradebookAssignment(Schema):
    id = fields.Integer(required=True)
    lesson = fields.String(required=True)
    title = fields.String(required=True)
    due_at = UtcDateTime(allow_none=True, required=True)
    pass_mark = fields.Integer(required=True)
    counting = fields.String(required=True)


class Gradebook(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    assignments = fields.List(fields.Nested(GradebookAssignment), required=True)
    students = fields.List(fields.Nested(GradebookStudent), required=True)
