"""Small lookups and steps shared by the web tests."""

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from app.content.lessons import expand_screens, parse_lesson
from app.extensions import db
from app.models import Attempt, AttemptSlot, Lesson, Question, QuestionVersion, Response, Screen

from ..support import csrf_token

LESSON = "nl-l1"
LESSON_FILE = Path(__file__).resolve().parents[2] / "lessons" / "nl-klantrelaties" / "01-relatiemarketing.md"


def first_question_position(lesson_file: Path = LESSON_FILE) -> int:
    """Slide number of the first checkpoint question, read from the lesson file itself, so a
    content edit that adds or splits slides never silently points a test at a content slide."""
    lesson = parse_lesson(lesson_file.name, lesson_file.read_text(encoding="utf-8"))
    return next(screen.position for screen in expand_screens(lesson) if screen.kind == "question")


QUESTION_SLIDE = first_question_position()


def first_question_screen(app, lesson_slug: str = LESSON) -> tuple[int, QuestionVersion]:
    with app.app_context():
        screen, version = db.session.execute(
            select(Screen, QuestionVersion).join(Lesson, Lesson.id == Screen.lesson_id)
            .join(Question, Question.id == Screen.question_id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Lesson.slug == lesson_slug, Screen.kind == "question").order_by(Screen.position)).first()
        db.session.expunge_all()
        return screen.position, version


def question_screens(app, lesson_slug: str = LESSON):
    with app.app_context():
        rows = db.session.execute(
            select(Screen.position, QuestionVersion).join(Lesson, Lesson.id == Screen.lesson_id)
            .join(Question, Question.id == Screen.question_id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Lesson.slug == lesson_slug).order_by(Screen.position)).all()
        result = [(position, version, {g.slug for g in version.goals}) for position, version in rows]
        db.session.expunge_all()
        return result


def sync(app, *args):
    """`flask content sync` with these arguments; returns the CLI result."""
    return app.test_cli_runner().invoke(args=["content", "sync", *args])


def response_count(app, user_id: int, kind: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Response).join(Attempt).where(Attempt.user_id == user_id)
        if kind:
            query = query.where(Attempt.kind == kind)
        return db.session.scalar(query)


def lesson_row(app, slug: str = LESSON) -> Lesson:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slug))
        db.session.expunge(lesson)
        return lesson


def right_answer(version: QuestionVersion) -> list[str]:
    return [str(i) for i, o in enumerate(version.options) if o["correct"]]


def wrong_answer(version: QuestionVersion) -> list[str]:
    return [str(next(i for i, o in enumerate(version.options) if not o["correct"]))]


def shown_order(page: str, version: QuestionVersion) -> list[int]:
    """Stored option indexes in the order a one-question page shows them (options are shuffled)."""
    found = sorted((page.index(f'<span class="option-text">{option["html"]}</span>'), index)
                   for index, option in enumerate(version.options))
    return [index for _, index in found]


def shown_positions(page: str, version: QuestionVersion, stored: list[str]) -> list[str]:
    """The form values (displayed positions) of stored option indexes on a one-question page."""
    order = shown_order(page, version)
    return [str(order.index(int(index))) for index in stored]


# --- the final quiz ----------------------------------------------------------------------------

def start(client) -> int:
    """Start the final quiz of LESSON as the logged-in student; returns the attempt id."""
    front = client.get(f"/lessons/{LESSON}/quiz")
    assert front.status_code == 200 and "Start the quiz" in front.get_data(as_text=True)
    token = csrf_token(client, f"/lessons/{LESSON}/quiz")
    response = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})
    assert response.status_code == 303
    return int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))


@dataclass(frozen=True)
class Slot:
    """One question of an attempt as the test sees it: number, version, stored indexes in shown order."""

    number: int
    version: QuestionVersion
    order: list[int]

    @property
    def options(self) -> list[dict]:
        return self.version.options

    def shown(self, stored: list[str]) -> list[str]:
        """Form values (displayed positions) for stored option indexes."""
        return [str(self.order.index(int(i))) for i in stored]


def slots_of(app, attempt_id) -> list[Slot]:
    with app.app_context():
        rows = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id)
                                  .order_by(AttemptSlot.number)).all()
        slots = [Slot(s.number, s.version, list(s.option_order)) for s in rows]
        db.session.expunge_all()
        return slots


def right(slot: Slot) -> list[str]:
    return slot.shown(right_answer(slot.version))


def wrong(slot: Slot) -> list[str]:
    return slot.shown(wrong_answer(slot.version))


def submit(client, attempt_id, answers: dict, extra=None, token=None):
    """Hand in the attempt with slot number -> form values (shown positions)."""
    token = token or csrf_token(client, f"/attempts/{attempt_id}")
    data = {"csrf_token": token, **{f"q{number}": opts for number, opts in answers.items()}, **(extra or {})}
    return client.post(f"/attempts/{attempt_id}/submit", data=data)
