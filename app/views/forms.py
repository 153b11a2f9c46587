"""WTForms forms (CSRF via Flask-WTF) and the parsing of answer submissions."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError

from ..i18n import LANGUAGE_NAMES
from ..services import accounts

PASSWORD_MESSAGES = {
    "too_short": _l("Password must be at least %(n)s characters long", n=accounts.MIN_PASSWORD),
    "too_long": _l("Password must be at most %(n)s characters long", n=accounts.MAX_PASSWORD),
}
# zxcvbn explains itself in English only: our own reasons, each followed by what to do instead.
PASSWORD_WEAKNESS = {
    "personal": _l("It contains your name or username."),
    "common": _l("It is, or contains, a very common password or word."),
    "substitution": _l("Swapping letters for look-alike digits or symbols (0 for o, @ for a) does not help."),
    "keyboard": _l("Keyboard rows and sequences such as qwerty or 12345 are guessed first."),
    "repeat": _l("Repeated characters or patterns such as aaa or abcabc are guessed first."),
    "dates": _l("Years and dates are guessed first."),
    "general": "",
}
PASSWORD_HINT = _l("At least %(n)s characters. Three or four random words are strong and easy to remember.",
                   n=accounts.MIN_PASSWORD)
USERNAME_MESSAGES = {
    "length": _l("Username must be 3 to 40 characters long"),
    "characters": _l("Username may only use letters, digits, dots, hyphens and underscores, and must start with a letter or digit"),
    "mixed_scripts": _l("Use letters from one alphabet only, not for example Latin and Cyrillic letters together"),
}


def password_error(password: str, username: str, display_name: str) -> str | None:
    """The message for a password that breaks the rules (with advice), or None."""
    check = accounts.check_password(password, username, display_name)
    if check.ok:
        return None
    if check.problem in PASSWORD_MESSAGES:
        return str(PASSWORD_MESSAGES[check.problem])
    parts = (_l("This password is too easy to guess."), PASSWORD_WEAKNESS.get(check.advice or "general", ""),
             _l("Use three or four random words, for example: purple rabbit eats seven cakes."))
    return " ".join(str(part) for part in parts if str(part))


class CsrfForm(FlaskForm):
    """Forms whose fields are read by hand (answers) still get CSRF protection."""


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        description=_l("3 to 40 characters: letters (also with accents, like á or ä), digits, dots, hyphens and underscores"),
        filters=[lambda v: accounts.normalise_username(v) if isinstance(v, str) else v],
        validators=[DataRequired(_l("Enter a username"))])
    display_name = StringField(_l("Your name"), description=_l("Shown to your teacher"),
                               validators=[DataRequired(_l("Enter your name")),
                                           Length(max=80, message=_l("Name must be at most 80 characters long"))])
    password = PasswordField(_l("Password"), description=PASSWORD_HINT,
                             validators=[DataRequired(_l("Enter a password"))])
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(_l("Repeat your password")),
                                        EqualTo("password", message=_l("The passwords do not match"))])

    def validate_username(self, field):
        problem = accounts.username_problem(field.data or "")
        if problem:
            raise ValidationError(USERNAME_MESSAGES[problem])
        if accounts.username_taken(field.data):
            raise ValidationError(_l("This username is taken. Choose another one"))

    def validate_password(self, field):
        error = password_error(field.data or "", self.username.data or "", self.display_name.data or "")
        if error:
            raise ValidationError(error)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username")),
                                                       Length(max=40, message=_l("Username must be at most 40 characters long"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password")),
                                                         Length(max=accounts.MAX_PASSWORD, message=_l("Password is too long"))])


class ChangePasswordForm(FlaskForm):
    """The account settings form; the view passes the user's names for the strength check."""

    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password")),
        Length(max=accounts.MAX_PASSWORD, message=_l("Password is too long"))])
    new_password = PasswordField(_l("New password"), description=PASSWORD_HINT,
                                 validators=[DataRequired(_l("Enter a new password"))])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(_l("Repeat your new password")),
                                        EqualTo("new_password", message=_l("The passwords do not match"))])

    def __init__(self, username: str, display_name: str, **kwargs):
        super().__init__(**kwargs)
        self._names = (username, display_name)

    def validate_new_password(self, field):
        error = password_error(field.data or "", *self._names)
        if error:
            raise ValidationError(error)


class LanguageForm(FlaskForm):
    language = StringField(_l("Language"), validators=[AnyOf(tuple(LANGUAGE_NAMES))])


class AnswerError(ValueError):
    pass


# Form numbers are ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then
# refuses or reads as another number. The length cap keeps int() cheap; ids get a range check.
_ASCII_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_ROW_ID = 2**31 - 1  # PostgreSQL integer; SQLite would take more, but no id gets that far


def parse_row_id(value: object) -> int | None:
    """A positive database id from a form value, or None if it cannot be one (checked before any query)."""
    if not isinstance(value, str) or not _ASCII_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ROW_ID else None


def parse_selection(values: list[str], option_count: int, question_type: str) -> set[int]:
    """Displayed option positions (0-based) from form values; AnswerError with a message for bad input.

    The positions are those the student saw; the caller maps them to the stored options."""
    if len(values) > option_count:  # also stops huge lists before looking at them
        raise AnswerError(_l("Choose only from the options shown"))
    selected = set()
    for value in values:
        if not _ASCII_NUMBER.fullmatch(value) or int(value) >= option_count:
            raise AnswerError(_l("Choose only from the options shown"))
        selected.add(int(value))
    if question_type != "multiple" and len(selected) > 1:
        raise AnswerError(_l("Choose one answer"))
    return selected


def final_answers(getlist, slots) -> tuple[dict[int, set[int]], dict[int, str], list[int]]:
    """A final quiz's form read as the student sent it: (slot number -> displayed positions chosen,
    slot number -> why its answer cannot be read, the numbers of the slots left unanswered).
    `getlist(name)` gives a field's values; fields are named after the slot number (`q3`). Shared by
    the view (`quiz.submit`) and the hand-in below Flask (app/direct_submissions.py)."""
    answers, errors = {}, {}
    for slot in slots:
        try:
            answers[slot.number] = parse_selection(getlist(f"q{slot.number}"), len(slot.option_order),
                                                   slot.version.type)
        except AnswerError as exc:
            errors[slot.number] = str(exc)
    return answers, errors, [slot.number for slot in slots if not answers.get(slot.number)]
