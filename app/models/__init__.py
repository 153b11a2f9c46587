"""Database models, one module per concern; import them from here."""

from .accounts import ROLES, TEACHER_ROLES, ApiToken, LoginThrottle, User, UserSession
from .classes import (
    CLASS_ROLES,
    Assignment,
    AttemptReset,
    ClassGroup,
    ClassStudent,
    ClassTeacher,
    CountingRule,
    CourseSettings,
    KeyReveal,
)
from .common import utcnow
from .content import (
    COURSE_ROLES,
    REVISION_ORIGINS,
    ContentDocument,
    ContentRevision,
    Course,
    CourseMember,
    LearningGoal,
    Lesson,
    MediaFile,
    Question,
    QuestionVersion,
    Screen,
    question_version_goals,
)
from .learning import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    FinalQuizItem,
    LessonProgress,
    Response,
)

__all__ = [
    "ApiToken",
    "CLASS_ROLES", "Assignment", "AttemptReset", "ClassGroup", "ClassStudent", "ClassTeacher",
    "CountingRule", "CourseSettings", "KeyReveal",
    "REVISION_ORIGINS", "ContentDocument", "ContentRevision",
    "COURSE_ROLES", "CourseMember", "MediaFile",
    "AttemptKind", "AttemptSlot", "AttemptStatus",
    "ROLES", "TEACHER_ROLES", "Attempt", "Course", "FinalQuizItem", "LearningGoal", "Lesson", "LessonProgress", "LoginThrottle",
    "Question", "QuestionVersion", "Response", "Screen", "User", "UserSession", "question_version_goals",
    "utcnow",
]
