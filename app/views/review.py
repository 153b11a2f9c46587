"""Score review: item analysis of a lesson quiz, the projector review, and a student's own results
(issue 9 points 5, 7 and 8). Thin: parse the request, call `services.item_analysis` or
`services.results`, render.

Access: teachers and admins see the analysis of every student of a lesson (figures only, no
names) or of one class they teach (another teacher's class is 404); students get 403, anonymous
visitors the login page. The projector review never shows a student's name."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..learning import statistics as stats
from ..learning.charts import Bar, bar_chart_svg
from ..services import item_analysis
from ..services import results as results_service
from .access import teacher_required
from .learn import get_lesson_or_404

bp = Blueprint("review", __name__)

ID = "int(min=1, max=2147483647)"
FLAG_TEXT = {
    stats.NEGATIVE_DISCRIMINATION: _l("Negative discrimination — check the key"),
    stats.DOUBTFUL: _l("Doubtful: discrimination far below what this question could reach"),
    stats.EVERYONE_CORRECT: _l("Everyone answered correctly"),
    stats.NOBODY_CORRECT: _l("Nobody answered correctly — check the key and the teaching"),
    stats.MOST_CHOSE_SAME_WRONG: _l("Most chose the same wrong option"),
    stats.DISTRACTOR_NEVER_CHOSEN: _l("Nobody chose this distractor"),
    stats.DISTRACTOR_RARELY_CHOSEN: _l("A distractor was rarely chosen (by fewer than 1 in 20)"),
}
RELIABILITY_TEXT = {
    stats.SATISFACTORY: _l("satisfactory (0.75 or more)"),
    stats.BORDERLINE: _l("borderline (0.64 to 0.75)"),
    stats.UNSATISFACTORY: _l("unsatisfactory (below 0.64)"),
}


def analysis_request():
    """The lesson, the class (optional, must be one the user teaches) and which attempts count."""
    which = request.args.get("attempts", "first")
    if which not in ("first", "all"):
        abort(400)
    group = None
    raw_class = request.args.get("class", "")
    if raw_class:
        if not raw_class.isdigit() or len(raw_class) > 9:
            abort(404)  # not a class id this site can have
        group = item_analysis.class_for_teacher(int(raw_class), current_user)
        if group is None:
            abort(404)
    return group, which == "all"


def filters(group, all_attempts: bool) -> dict:
    """Query arguments that keep the chosen class and attempts on every link of the page."""
    return {key: value for key, value in (("class", group.id if group else None),
                                          ("attempts", "all" if all_attempts else None)) if value}


@bp.get("/review/")
@teacher_required
def index():
    """Every lesson with a final quiz, with its attempt count: the way into both review pages."""
    overview = item_analysis.quiz_overview()
    classes = item_analysis.teacher_classes(current_user.id)
    return render_template("review/index.html", overview=overview, classes=classes)


@bp.get("/review/lessons/<slug:slug>/items")
@teacher_required
def items(slug: str):
    lesson = get_lesson_or_404(slug)
    group, all_attempts = analysis_request()
    quiz = item_analysis.gather(lesson, class_id=group.id if group else None, all_attempts=all_attempts)
    if not quiz.questions:  # a lesson without a final quiz
        abort(404)
    stats_by_key = {q.id: q for q in quiz.analysis.questions}
    return render_template(
        "review/items.html", lesson=lesson, quiz=quiz, stats=stats_by_key, group=group, all_attempts=all_attempts,
        classes=item_analysis.teacher_classes(current_user.id), flag_text=FLAG_TEXT,
        reliability_text=RELIABILITY_TEXT, args=filters(group, all_attempts), letter=item_analysis.letter,
        trust=quiz.analysis.trust)


@bp.get("/review/lessons/<slug:slug>/present")
@bp.get(f"/review/lessons/<slug:slug>/present/<{ID}:number>")
@teacher_required
def present(slug: str, number: int = 1):
    """One question on the projector: the class's answers as a chart and a table, no names.
    `?reveal=1` shows the key and the feedback (a link, so it works without JavaScript)."""
    lesson = get_lesson_or_404(slug)
    group, all_attempts = analysis_request()
    reveal = request.args.get("reveal") == "1"
    quiz = item_analysis.gather(lesson, class_id=group.id if group else None, all_attempts=all_attempts)
    if not 1 <= number <= len(quiz.questions):
        abort(404)
    question = quiz.questions[number - 1]
    figures = next(q for q in quiz.analysis.questions if q.id == question.key)
    chart = bar_chart_svg(
        _("How the class answered question %(number)s", number=number),
        [Bar(item_analysis.letter(i), o.chosen, chart_value(o.chosen, figures.n), o.correct)
         for i, o in enumerate(figures.options)],
        scale_max=figures.n, chart_id=f"chart-{number}",
        correct_mark=("✓ " + _("right")) if reveal else "",
        description=ngettext("%(num)s answer", "%(num)s answers", figures.n))
    return render_template(
        "review/present.html", lesson=lesson, quiz=quiz, question=question, figures=figures, number=number,
        total=len(quiz.questions), reveal=reveal, chart=chart, group=group, args=filters(group, all_attempts),
        letter=item_analysis.letter, trust=quiz.analysis.trust)


def chart_value(chosen: int, n: int) -> str:
    return f"{chosen} ({format_percent(chosen / n)})" if n else str(chosen)


@bp.get("/results")
@login_required
def results():
    """The student's own attempts with scores and dates, and their per-goal progress."""
    return render_template("review/results.html", results=results_service.student_results(current_user.id))
