"""WTForms forms (CSRF via Flask-WTF) and the parsing of answer submissions."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Regexp, ValidationError

from ..i18n import LANGUAGE_NAMES
from ..services import accounts

PASSWORD_MESSAGES = {
    "too_short": _l("Password must be at least %(n)s characters long", n=accounts.MIN_PASSWORD),
    "too_long": _l("Password must be at most %(n)s characters long", n=accounts.MAX_PASSWORD),
    "too_common": _l("This password is too easy to guess. Choose a longer, less common one"),
    "contains_username": _l("Password must not contain your username"),
}


class CsrfForm(FlaskForm):
    """Forms whose fields are read by hand (answers) still get CSRF protection."""


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        description=_l("3 to 40 characters: lowercase letters, digits, dots, hyphens and underscores"),
        filters=[lambda v: accounts.normalise_username(v) if isinstance(v, str) else v],
        validators=[DataRequired(_l("Enter a username")),
                    Length(min=3, max=40, message=_l("Username must be 3 to 40 characters long")),
                    Regexp(accounts.USERNAME_PATTERN.pattern,
                           message=_l("Username may only use lowercase letters, digits, dots, hyphens and underscores"))])
    display_name = StringField(_l("Your name"), description=_l("Shown to your teacher"),
                               validators=[DataRequired(_l("Enter your name")),
                                           Length(max=80, message=_l("Name must be at most 80 characters long"))])
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(n)s characters. A short sentence is easy to remember.", n=accounts.MIN_PASSWORD),
        validators=[DataRequired(_l("Enter a password"))])
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(_l("Repeat your password")),
                                        EqualTo("password", message=_l("The passwords do not match"))])

    def validate_username(self, field):
        if accounts.USERNAME_PATTERN.match(field.data or "") and accounts.username_taken(field.data):
            raise ValidationError(_l("This username is taken. Choose another one"))

    def validate_password(self, field):
        problem = accounts.password_problem(field.data or "", self.username.data or "")
        if problem:
            raise ValidationError(PASSWORD_MESSAGES[problem])


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username")),
                                                       Length(max=40, message=_l("Username must be at most 40 characters long"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password")),
                                                         Length(max=accounts.MAX_PASSWORD, message=_l("Password is too long"))])


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
