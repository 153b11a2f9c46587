"""Read model for the presenter view: a slide and the one after it, with their questions' current
versions (the presenter shows the question and, on request, its key)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Lesson, Question, QuestionVersion, Screen


@dataclass(frozen=True)
class PresentedScreen:
    screen: Screen
    version: QuestionVersion | None  # None on a content slide


@dataclass(frozen=True)
class PresenterView:
    lesson: Lesson
    current: PresentedScreen
    following: PresentedScreen | None  # None on the last slide


def presenter_view(lesson: Lesson, position: int) -> PresenterView | None:
    """Slide `position` of `lesson` and the next one, in one query; None if there is no such slide."""
    rows = db.session.execute(
        select(Screen, QuestionVersion).outerjoin(Question, Question.id == Screen.question_id)
        .outerjoin(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Screen.lesson_id == lesson.id, Screen.position.in_((position, position + 1)))
        .order_by(Screen.position)).all()
    screens = {screen.position: PresentedScreen(screen, version) for screen, version in rows}
    if position not in screens:
        return None
    return PresenterView(lesson, screens[position], screens.get(position + 1))
