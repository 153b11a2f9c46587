"""Split a file into YAML front matter and body, with line numbers for errors."""

from __future__ import annotations

import re

import yaml
import yaml.reader
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from .model import ContentError, Problem

DELIMITER = "---"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FILE_CHARS = 300_000
MAX_FRONT_MATTER_LINES = 200
MAX_FRONT_MATTER_CHARS = 20_000
MAX_YAML_DEPTH = 8  # a lesson needs 3 (mapping > goals list > goal mapping)
MAX_ID_CHARS = 80  # the slug columns in the database
MAX_TITLE_CHARS = 300


class FrontMatterLoader(yaml.SafeLoader):
    """YAML without anchors and aliases (a 700-byte alias bomb expands to hundreds of MB),
    with bounded nesting (deep nesting raised RecursionError) and no silently repeated keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark)
        if self.depth >= MAX_YAML_DEPTH:
            raise ComposerError(None, None, "values are nested too deeply", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise ConstructorError(None, None, f"the key {shown(key_node.value)} is given twice",
                                           key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def shown(value, limit: int = 60) -> str:
    """repr() of a user-written value for a message, cut short so a message stays one line."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def split_front_matter(path: str, text: str) -> tuple[dict, list[str], int]:
    """Return (front matter, body lines, line number of the first body line).

    Raises ContentError when the front matter is missing, too large or not a YAML mapping.
    """
    if len(text) > MAX_FILE_CHARS:
        raise ContentError([Problem(path, 1, f"file is too large (over {MAX_FILE_CHARS} characters)")])
    if "\x00" in text:
        raise ContentError([Problem(path, 1, "file contains a NUL byte; is it a text file?")])
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        raise ContentError([Problem(path, 1, "front matter missing: the file must start with a '---' line")])
    end = next((i for i in range(1, min(len(lines), MAX_FRONT_MATTER_LINES + 2)) if lines[i].strip() == DELIMITER), None)
    if end is None:
        if any(line.strip() == DELIMITER for line in lines[1:]):
            raise ContentError([Problem(path, 1, f"front matter is longer than {MAX_FRONT_MATTER_LINES} lines")])
        raise ContentError([Problem(path, 1, "front matter is not closed by a '---' line")])
    front = "\n".join(lines[1:end])
    if len(front) > MAX_FRONT_MATTER_CHARS:
        raise ContentError([Problem(path, 1, f"front matter is longer than {MAX_FRONT_MATTER_CHARS} characters")])
    deep_line = too_deep_brackets(front)
    if deep_line:
        raise ContentError([Problem(path, deep_line + 1, "bad front matter: values are nested too deeply")])
    try:
        data = yaml.load(front, Loader=FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as exc:  # a control character (its code as an int): no mark, a position
        line = front.count("\n", 0, exc.position) + 2
        raise ContentError([Problem(path, line, f"bad front matter: control character U+{exc.character:04X} is not allowed")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentError([Problem(path, line, f"bad front matter: {problem}")]) from None
    except RecursionError:
        raise ContentError([Problem(path, 1, "bad front matter: values are nested too deeply")]) from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date 2025-02-30 or a 5,000-digit number
        raise ContentError([Problem(path, 1, f"bad front matter: a value cannot be read ({shown(str(exc), 120)})")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError([Problem(path, 2, "bad front matter: expected 'key: value' lines")])
    return data, lines[end + 1 :], end + 2


BRACKET = re.compile(r"[\[\]{}\n]")


def too_deep_brackets(front: str) -> int:
    """Line (1-based, in `front`) where [ and { nest deeper than YAML may, else 0.

    Checked before parsing: PyYAML's scanner is quadratic in the nesting of flow collections.
    """
    depth, line = 0, 1
    for match in BRACKET.finditer(front):
        char = match.group()
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return line
        else:
            depth = max(depth - 1, 0)
    return 0


def key_line(lines: list[str], key: str, default: int = 1) -> int:
    """1-based line of the first front-matter line that mentions `key`."""
    if not key:
        return default
    for number, line in enumerate(lines[:MAX_FRONT_MATTER_LINES + 1], start=1):
        if key in line:
            return number
    return default


def field_line(lines: list[str], key: str, default: int = 1) -> int:
    """1-based line of the top-level front-matter field `key` (a line 'key:' or 'key :')."""
    for number, line in enumerate(lines[:MAX_FRONT_MATTER_LINES + 1], start=1):
        if line.startswith(key) and line[len(key):].lstrip().startswith(":"):
            return number
    return default


def text_field(problems: list[Problem], path: str, data: dict, key: str, line: int,
               required: bool = True, max_len: int = MAX_TITLE_CHARS) -> str:
    return text_value(problems, path, data.get(key), f"front matter: '{key}'", line, required, max_len)


def text_value(problems: list[Problem], path: str, value, what: str, line: int,
               required: bool = True, max_len: int = MAX_TITLE_CHARS) -> str:
    """A YAML value that must be text (a number is taken as text); lists, dates, yes/no are problems."""
    if value is None:
        if required:
            problems.append(Problem(path, line, f"{what} is required"))
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.append(Problem(path, line, f"{what} must be text"))
        return ""
    value = str(value).strip()
    if required and not value:
        problems.append(Problem(path, line, f"{what} is empty"))
    if len(value) > max_len:
        problems.append(Problem(path, line, f"{what} is longer than {max_len} characters"))
    return value


def id_field(problems: list[Problem], path: str, data: dict, key: str, line: int) -> str:
    value = text_field(problems, path, data, key, line, max_len=MAX_ID_CHARS)
    if value and not ID_PATTERN.match(value):
        problems.append(Problem(path, line, f"front matter: '{key}' {shown(value)} must use only a-z, 0-9 and hyphens"))
    return value


MAX_UNKNOWN_REPORTED = 10


def unknown_fields(problems: list[Problem], path: str, data: dict, allowed: set[str],
                   lines: list[str]) -> None:
    unknown = [key for key in data if key not in allowed]
    for key in unknown[:MAX_UNKNOWN_REPORTED]:
        problems.append(Problem(path, field_line(lines, str(key)),
                                f"front matter: unknown field {shown(key)} (allowed: {', '.join(sorted(allowed))})"))
    if len(unknown) > MAX_UNKNOWN_REPORTED:
        problems.append(Problem(path, 1, f"front matter: {len(unknown) - MAX_UNKNOWN_REPORTED} more unknown fields"))
