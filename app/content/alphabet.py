"""Alphabetical order and index letters for a glossary, in the rules of its language.

Finnish sorts å, ä and ö after z; Hungarian files ö/ő after o and ü/ű after u and treats the
double letters cs, dz, dzs, gy, ly, ny, sz, ty and zs as letters of their own; Dutch (and the
rest) ignore accents. Pure: no Flask, no database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Letters that come after the plain a-z, in order, per language (lower case).
EXTRA_LETTERS = {
    "fi": ("å", "ä", "ö"),
    "hu": ("cs", "dz", "dzs", "gy", "ly", "ny", "sz", "ty", "zs", "ö", "ü"),
}
# Where each extra letter is filed: right after this plain letter.
HUNGARIAN_AFTER = {"cs": "c", "dz": "d", "dzs": "d", "gy": "g", "ly": "l", "ny": "n", "sz": "s",
                   "ty": "t", "zs": "z", "ö": "o", "ü": "u"}
HUNGARIAN_FOLD = {"ő": "ö", "ű": "ü"}  # long and short vowels share a letter in the index


def _plain(char: str) -> str:
    """'é' -> 'e': the base letter without its accents."""
    return unicodedata.normalize("NFKD", char)[0]


def _letters(term: str, language: str) -> list[str]:
    """The term as a list of the language's letters (lower case); spaces and marks dropped."""
    text = unicodedata.normalize("NFC", term).casefold()
    letters: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if language == "hu":
            for digraph in ("dzs", "cs", "dz", "gy", "ly", "ny", "sz", "ty", "zs"):
                if text.startswith(digraph, i):
                    letters.append(digraph)
                    i += len(digraph)
                    break
            else:
                char = HUNGARIAN_FOLD.get(char, char)
                letters.append(char if char in ("ö", "ü") else _plain(char))
                i += 1
            continue
        if language == "fi" and char in EXTRA_LETTERS["fi"]:
            letters.append(char)
        elif char.isalnum():
            letters.append(_plain(char))
        i += 1
    return [letter for letter in letters if letter.isalnum()]


def _rank(letter: str, language: str) -> tuple:
    if language == "hu" and letter in HUNGARIAN_AFTER:
        return (HUNGARIAN_AFTER[letter], 1, letter)
    if language == "fi" and letter in EXTRA_LETTERS["fi"]:
        return ("z", 1 + EXTRA_LETTERS["fi"].index(letter), letter)
    return (letter, 0, "")


def sort_key(term: str, language: str) -> tuple:
    """Order of `term` in a glossary of `language`."""
    return tuple(_rank(letter, language) for letter in _letters(term, language)), term.casefold()


def index_letter(term: str, language: str) -> str:
    """The letter a term is filed under: 'Szolgáltatás' -> 'Sz' in Hungarian, 'Ääni' -> 'Ä' in Finnish."""
    letters = _letters(term, language)
    if not letters or letters[0].isdigit():
        return "0–9"  # numbers (and terms without letters) come first
    return letters[0][0].upper() + letters[0][1:]


def letter_groups(entries: Iterable[dict], language: str) -> list[tuple[str, list[dict]]]:
    """Glossary entries ({"term": ...}) sorted for `language` and grouped by index letter."""
    groups: list[tuple[str, list[dict]]] = []
    for entry in sorted(entries, key=lambda entry: sort_key(entry["term"], language)):
        letter = index_letter(entry["term"], language)
        if groups and groups[-1][0] == letter:
            groups[-1][1].append(entry)
        else:
            groups.append((letter, [entry]))
    return groups
