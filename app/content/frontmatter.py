"""Split a file into YAML front matter and body, with line numbers for errors."""

from __future__ import annotations

import re

import yaml

from .model import ContentError, Problem

DELIMITER = "---"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FILE_CHARS = 300_000


def split_front_matter(path: str, text: str) -> tuple[dict, list[str], int]:
    """Return (front matter, body lines, line number of the first body line).

    Raises ContentError when the front matter is missing or not a YAML mapping.
    """
    if len(text) > MAX_FILE_CHARS:
        raise ContentError([Problem(path, 1, f"file is too large (over {MAX_FILE_CHARS} characters)")])
    if "\x00" in text:
        raise ContentError([Problem(path, 1, "file contains a NUL byte; is it a text file?")])
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        raise ContentError([Problem(path, 1, "front matter missing: the file must start with a '---' line")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == DELIMITER)
    except StopIteration:
        raise ContentError([Problem(path, 1, "front matter is not closed by a '---' line")]) from None
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentError([Problem(path, line, f"bad front matter: {problem}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError([Problem(path, 2, "bad front matter: expected 'key: value' lines")])
    return data, lines[end + 1 :], end + 2


def key_line(lines: list[str], key: str, default: int = 1) -> int:
    """1-based line of the first front-matter line that mentions `key`."""
    for number, line in enumerate(lines[:200], start=1):
        if key in line:
            return number
    return default


def field_line(lines: list[str], key: str, default: int = 1) -> int:
    """1-based line of the top-level front-matter field `key`."""
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(lines[:200], start=1):
        if pattern.match(line):
            return number
    return default


def text_field(problems: list[Problem], path: str, data: dict, key: str, line: int,
               required: bool = True, max_len: int = 300) -> str:
    value = data.get(key)
    if value is None:
        if required:
            problems.append(Problem(path, line, f"front matter: '{key}' is required"))
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.append(Problem(path, line, f"front matter: '{key}' must be text"))
        return ""
    value = str(value).strip()
    if required and not value:
        problems.append(Problem(path, line, f"front matter: '{key}' is empty"))
    if len(value) > max_len:
        problems.append(Problem(path, line, f"front matter: '{key}' is longer than {max_len} characters"))
    return value


def id_field(problems: list[Problem], path: str, data: dict, key: str, line: int) -> str:
    value = text_field(problems, path, data, key, line)
    if value and not ID_PATTERN.match(value):
        problems.append(Problem(path, line, f"front matter: '{key}' {value!r} must use only a-z, 0-9 and hyphens"))
    return value


def unknown_fields(problems: list[Problem], path: str, data: dict, allowed: set[str],
                   lines: list[str]) -> None:
    for key in data:
        if key not in allowed:
            problems.append(Problem(path, field_line(lines, str(key)),
                                    f"front matter: unknown field '{key}' (allowed: {', '.join(sorted(allowed))})"))
