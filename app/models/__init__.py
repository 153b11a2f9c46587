"""Database models, one module per concern; import them from here."""

from .accounts import ROLES, User
from .common import utcnow
from .content import (
    Course,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Screen,
    question_version_goals,
)
from .learning import Attempt, FinalQuizItem, LessonProgress, Response

__all__ = [
    "ROLES", "Attempt", "Course", "FinalQuizItem", "LearningGoal", "Lesson", "LessonProgress",
    "Question", "QuestionVersion", "Response", "Screen", "User", "question_version_goals", "utcnow",
]
