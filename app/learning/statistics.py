"""Item analysis of a quiz from its attempts (issue 9 points 5 and 6). Pure: values in, values out.

Input: the attempts, each a mapping question id -> (score in [0, 1], ids of the selected options),
and the options of every question. An attempt need not hold every question (final quizzes are
drawn from pools): each question is analysed over the attempts that hold it, and its `n` says
how many those are. Figures that need spread (a correlation, a ratio) are None when undefined.

Definitions (docs/grading.md, "Item analysis"):
- facility: mean score;
- discrimination: Pearson correlation of the question's score with the REST of the attempt's
  score (attempt total minus this question), so a question is not correlated with itself;
- discriminative efficiency (Moodle): that covariance divided by the largest covariance the same
  two lists of numbers could have (both sorted); "doubtful" below 15 %, as in Moodle's report;
- upper-lower index: mean score of the best 27 % of attempts minus that of the weakest 27 %,
  ranked by attempt total (Kelley);
- distractor functional when chosen by at least 5 % of the attempts;
- reliability: coefficient alpha over the attempts holding every question (for right/wrong
  questions this is KR-20; Moodle calls it the coefficient of internal consistency).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

TOO_FEW, INDICATIVE, TRUSTWORTHY = "too_few_to_judge", "indicative_only", "trustworthy"
TOO_FEW_BELOW, INDICATIVE_BELOW = 10, 50
SATISFACTORY, BORDERLINE, UNSATISFACTORY = "satisfactory", "borderline", "unsatisfactory"
SATISFACTORY_FROM, UNSATISFACTORY_BELOW = 0.75, 0.64
DOUBTFUL_BELOW = 0.15  # discriminative efficiency, as Moodle's statistics report
FUNCTIONAL_FROM = 0.05  # a distractor chosen by fewer is not doing its job
GROUP_SHARE = 0.27

# Flags, as codes the interface translates (English wording in docs/grading.md).
NEGATIVE_DISCRIMINATION = "negative_discrimination"  # "negative discrimination — check the key"
DOUBTFUL = "doubtful"  # discrimination far below its possible maximum
DISTRACTOR_NEVER_CHOSEN = "distractor_never_chosen"  # "nobody chose this distractor"
DISTRACTOR_RARELY_CHOSEN = "distractor_rarely_chosen"  # chosen, but by fewer than 5 %
EVERYONE_CORRECT = "everyone_correct"  # "everyone answered correctly"
NOBODY_CORRECT = "nobody_correct"  # "nobody answered correctly"
MOST_CHOSE_SAME_WRONG = "most_chose_same_wrong_option"  # "most chose the same wrong option"


@dataclass(frozen=True)
class OptionInfo:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class OptionStats:
    id: str
    text: str
    correct: bool
    chosen: int
    share: float | None  # chosen / n; None when n = 0
    functional: bool | None  # distractors only: chosen by at least 5 %; None for right options


@dataclass(frozen=True)
class QuestionStats:
    id: str
    n: int  # attempts holding this question
    facility: float | None
    discrimination: float | None
    discriminative_efficiency: float | None
    upper_lower: float | None
    group_size: int  # attempts in each of the upper and lower groups
    distractor_efficiency: float | None  # functional distractors / distractors
    random_guess_score: float | None  # single choice and true/false: 1 / options
    doubtful: bool
    options: tuple[OptionStats, ...]
    flags: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "id": self.id, "n": self.n, "facility": _round(self.facility),
            "discrimination": _round(self.discrimination),
            "discriminative_efficiency": _round(self.discriminative_efficiency),
            "upper_lower": _round(self.upper_lower), "upper_lower_group": self.group_size,
            "distractor_efficiency": _round(self.distractor_efficiency),
            "random_guess_score": _round(self.random_guess_score), "doubtful": self.doubtful,
            "options": [{"id": o.id, "text": o.text, "chosen": o.chosen, "share": _round(o.share),
                         "correct": o.correct, "functional": o.functional} for o in self.options],
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Reliability:
    alpha: float | None  # coefficient alpha; equals KR-20 when every score is 0 or 1
    n: int  # attempts holding every question
    label: str | None  # satisfactory | borderline | unsatisfactory; None when alpha is None


@dataclass(frozen=True)
class ItemAnalysis:
    attempts: int
    trust: str  # too_few_to_judge | indicative_only | trustworthy
    questions: tuple[QuestionStats, ...]
    reliability: Reliability

    @property
    def warning(self) -> str | None:
        return None if self.trust == TRUSTWORTHY else self.trust

    def as_json(self) -> dict:
        """The shape of `flask report items --json` (issue 9 point 6)."""
        r = self.reliability
        return {
            "attempts": self.attempts, "trust": self.trust,
            "questions": [q.as_json() for q in self.questions],
            "reliability": {"kr20": _round(r.alpha), "alpha": _round(r.alpha), "n": r.n, "label": r.label},
            "warning": self.warning,
        }


Attempt = Mapping[str, tuple[float, Iterable[str]]]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _covariance_sum(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))


def _close_to_zero(value: float) -> bool:
    return abs(value) < 1e-12


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None with fewer than 2 pairs or when either list does not vary."""
    if len(xs) < 2:
        return None
    sxx, syy = _covariance_sum(xs, xs), _covariance_sum(ys, ys)
    if _close_to_zero(sxx) or _close_to_zero(syy):
        return None
    return _covariance_sum(xs, ys) / math.sqrt(sxx * syy)


def discriminative_efficiency(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Covariance of the pairs over the largest covariance the same values allow (Moodle)."""
    if len(xs) < 2:
        return None
    best = _covariance_sum(sorted(xs), sorted(ys))
    if _close_to_zero(best):
        return None
    return _covariance_sum(xs, ys) / best


def upper_lower_index(item: Sequence[float], totals: Sequence[float]) -> tuple[float | None, int]:
    """Mean item score of the top 27 % minus the bottom 27 % by total, and the group size.

    Attempts with equal totals keep their input order, so the result is reproducible.
    """
    n = len(item)
    if n < 2:
        return None, 0
    size = max(1, round(GROUP_SHARE * n))
    ranked = sorted(range(n), key=lambda i: totals[i])
    lower, upper = ranked[:size], ranked[-size:]
    return _mean([item[i] for i in upper]) - _mean([item[i] for i in lower]), size


def coefficient_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a complete attempts x questions matrix; None when undefined."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    total_variance = _covariance_sum([sum(r) for r in rows], [sum(r) for r in rows])
    if _close_to_zero(total_variance):
        return None
    item_variance = sum(_covariance_sum(col, col) for col in zip(*rows, strict=True))
    return k / (k - 1) * (1 - item_variance / total_variance)


def trust_level(attempts: int) -> str:
    if attempts < TOO_FEW_BELOW:
        return TOO_FEW
    return INDICATIVE if attempts < INDICATIVE_BELOW else TRUSTWORTHY


def reliability_label(alpha: float | None) -> str | None:
    if alpha is None:
        return None
    if alpha >= SATISFACTORY_FROM:
        return SATISFACTORY
    return UNSATISFACTORY if alpha < UNSATISFACTORY_BELOW else BORDERLINE


def _question_stats(question_id: str, options: Sequence[OptionInfo], attempts: Sequence[Attempt],
                    totals: Sequence[float]) -> QuestionStats:
    scores: list[float] = []
    rests: list[float] = []
    holding_totals: list[float] = []
    chosen = dict.fromkeys((o.id for o in options), 0)
    for attempt, total in zip(attempts, totals, strict=True):
        if question_id not in attempt:
            continue
        score, selected = attempt[question_id]
        scores.append(score)
        rests.append(total - score)
        holding_totals.append(total)
        for option_id in set(selected):
            if option_id in chosen:
                chosen[option_id] += 1
    n = len(scores)
    option_stats = tuple(OptionStats(
        o.id, o.text, o.correct, chosen[o.id], chosen[o.id] / n if n else None,
        None if o.correct or not n else chosen[o.id] / n >= FUNCTIONAL_FROM) for o in options)
    distractors = [o for o in option_stats if not o.correct]
    upper_lower, group_size = upper_lower_index(scores, holding_totals)
    efficiency = discriminative_efficiency(scores, rests)
    discrimination = correlation(scores, rests)
    right_options = sum(1 for o in options if o.correct)
    stats = QuestionStats(
        id=question_id, n=n, facility=_mean(scores) if n else None,
        discrimination=discrimination, discriminative_efficiency=efficiency,
        upper_lower=upper_lower, group_size=group_size,
        distractor_efficiency=(sum(1 for o in distractors if o.functional) / len(distractors)
                               if distractors and n else None),
        random_guess_score=1 / len(options) if right_options == 1 and options else None,
        doubtful=efficiency is not None and efficiency < DOUBTFUL_BELOW,
        options=option_stats, flags=())
    return replace(stats, flags=_flags(stats))


def _flags(stats: QuestionStats) -> tuple[str, ...]:
    if not stats.n:
        return ()
    flags = []
    if stats.discrimination is not None and stats.discrimination < 0:
        flags.append(NEGATIVE_DISCRIMINATION)
    if stats.doubtful:
        flags.append(DOUBTFUL)
    if stats.facility == 1:
        flags.append(EVERYONE_CORRECT)
    elif stats.facility == 0:
        flags.append(NOBODY_CORRECT)
    if any(not o.correct and o.share is not None and o.share > 0.5 for o in stats.options):
        flags.append(MOST_CHOSE_SAME_WRONG)
    if any(not o.correct and o.chosen == 0 for o in stats.options):
        flags.append(DISTRACTOR_NEVER_CHOSEN)
    if any(o.functional is False and o.chosen > 0 for o in stats.options):
        flags.append(DISTRACTOR_RARELY_CHOSEN)
    return tuple(flags)


def analyse_items(attempts: Sequence[Attempt], questions: Mapping[str, Sequence[OptionInfo]]) -> ItemAnalysis:
    """Statistics of every question in `questions` (in its order) over `attempts`.

    Only questions named in `questions` count toward an attempt's total, so the rest score of
    a question is the attempt's score on the other analysed questions.
    """
    totals = [sum(attempt[q][0] for q in questions if q in attempt) for attempt in attempts]
    question_stats = tuple(_question_stats(q, options, attempts, totals) for q, options in questions.items())
    complete = [[attempt[q][0] for q in questions] for attempt in attempts
                if all(q in attempt for q in questions)]
    alpha = coefficient_alpha(complete) if complete else None
    return ItemAnalysis(
        attempts=len(attempts), trust=trust_level(len(attempts)), questions=question_stats,
        reliability=Reliability(alpha, len(complete), reliability_label(alpha)))
