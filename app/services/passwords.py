"""Password policy (ASVS V6.2): length, and a zxcvbn strength check that knows Dutch, Hungarian
and Finnish favourites as well as the user's own names. Pure: no database, no Flask."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date

from zxcvbn import matching, scoring
from zxcvbn import zxcvbn as estimate

MIN_PASSWORD, MAX_PASSWORD = 12, 128
# zxcvbn's score 3 starts at 10^8 guesses, and "Zomer2026!!!" (word + year + punctuation, the most
# common recipe of all) lands exactly there; so we ask for score 4 (10^10), which three or four random
# words reach easily ("kissa koira talvi" 10^11, "tulp-fiets-zeven-regen" 10^20).
MIN_SCORE = 4
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; a longer password is judged by its first 72

# Words students here reach for first. zxcvbn's own lists are English; these are matched the same way
# (also inside longer passwords, with capitals, l33t and reversed), ranked in this order.
LOCAL_COMMON_WORDS = (
    # Dutch
    "wachtwoord", "welkom", "welkom01", "geheim", "voetbal", "ajax", "feyenoord", "hallo", "liefde",
    "schatje", "lente", "zomer", "herfst", "winter", "nederland", "amsterdam", "rotterdam", "utrecht",
    "school", "docent", "leerling", "klant", "maandag", "vrijdag", "konijn", "poesje", "hondje",
    # Hungarian (with and without accents)
    "jelszo", "jelszó", "titok", "szeretlek", "szerelem", "tavasz", "nyar", "nyár", "osz", "ősz",
    "tel", "tél", "macska", "kutya", "cica", "foci", "magyar", "magyarorszag", "budapest", "debrecen",
    "szeged", "iskola", "diak", "diák", "tanar", "tanár", "ugyfel", "ügyfél", "szia", "hetfo", "hétfő",
    # Finnish (with and without accents)
    "salasana", "tervetuloa", "kesä", "kesa", "talvi", "kevät", "kevat", "syksy", "rakkaus", "kissa",
    "koira", "jalkapallo", "jääkiekko", "jaakiekko", "suomi", "helsinki", "tampere", "turku", "koulu",
    "opiskelija", "opettaja", "asiakas", "moikka", "perkele", "sisu", "maanantai",
    # this site
    "lesmark",
)
matching.add_frequency_lists({"lesmark_local": list(LOCAL_COMMON_WORDS)})
# zxcvbn 4.5 was frozen in 2017: it sees "2026" as four random digits. Years up to 2099 are "recent".
matching.REGEXEN["recent_year"] = re.compile(r"19\d\d|20\d\d")
scoring.REFERENCE_YEAR = date.today().year

# zxcvbn keeps the user's own words in a module-level dictionary while it runs: one check at a time.
_zxcvbn_lock = threading.Lock()


@dataclass(frozen=True)
class PasswordCheck:
    """problem: None, 'too_short', 'too_long' or 'too_weak'; advice: what to do about a weak one."""

    problem: str | None
    advice: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_password(password: str, username: str = "", display_name: str = "") -> PasswordCheck:
    if len(password) < MIN_PASSWORD:
        return PasswordCheck("too_short")
    if len(password) > MAX_PASSWORD:
        return PasswordCheck("too_long")
    personal = [word for word in (username, display_name, *display_name.split()) if len(word) >= 3]
    with _zxcvbn_lock:
        result = estimate(password[:ZXCVBN_MAX_LENGTH], user_inputs=personal)
        # Whoever guesses knows the name: what is left without it must be strong on its own
        # ("Jansen-Piet-2009" for Piet Jansen is "--2009").
        rest = without_words(password, personal)
        rest_score = estimate(rest[:ZXCVBN_MAX_LENGTH])["score"] if rest != password else MIN_SCORE
    if result["score"] < MIN_SCORE:
        return PasswordCheck("too_weak", advice_for(result["sequence"]))
    if rest_score < MIN_SCORE:
        return PasswordCheck("too_weak", "personal")
    return PasswordCheck(None)


def without_words(password: str, words: list[str]) -> str:
    """The password with every word of `words` taken out, ignoring case (longest words first)."""
    for word in sorted(words, key=len, reverse=True):
        password = re.sub(re.escape(word), "", password, flags=re.IGNORECASE)
    return password


def advice_for(sequence: list[dict]) -> str:
    """The most useful advice for the weakest part zxcvbn found (our own words: its feedback is English)."""
    patterns = [match["pattern"] for match in sequence]
    dictionaries = {match.get("dictionary_name") for match in sequence}
    if "user_inputs" in dictionaries:
        return "personal"
    if any(match.get("l33t") for match in sequence):
        return "substitution"
    if "dictionary" in patterns:
        return "common"
    if "spatial" in patterns or "sequence" in patterns:
        return "keyboard"
    if "repeat" in patterns:
        return "repeat"
    if "date" in patterns or "regex" in patterns:
        return "dates"
    return "general"
