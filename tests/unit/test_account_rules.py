"""Password and username rules (pure: no app, no database)."""

import pytest

from app.services.accounts import normalise_username, username_problem
from app.services.passwords import MAX_PASSWORD, MIN_PASSWORD, check_password

# Twenty well-known weak passwords: the four named in the issue (all under 12 characters) and
# sixteen that pass the length rule, built the way people build them (word + digits + "!",
# keyboard runs, look-alike digits, local favourites in Dutch, Hungarian and Finnish).
WEAK_PASSWORDS = [
    "password12", "Passw0rd!!", "1q2w3e4r5t", "Welkom01!!",
    "password1234", "P@ssw0rd2026", "1q2w3e4r5t6y", "qwertyuiop12", "123456789012", "iloveyou1234",
    "Wachtwoord12", "Welkom2026!!", "Jelszo123456", "Tavasz2026!!", "Salasana123!", "Kesä2025!!!!",
    "Voetbal12345", "Football2026", "aaaaaaaaaaaa", "abcdefghijkl",
]
GOOD_PASSPHRASES = ["tulp fiets zeven regen", "paars konijn eet taart", "Kahvi ja pulla maistuu",
                    "vörös-alma-hat-felhő", "correct horse battery"]


def test_the_list_has_twenty_different_weak_passwords():
    assert len(set(WEAK_PASSWORDS)) == 20


@pytest.mark.parametrize("password", WEAK_PASSWORDS)
def test_well_known_weak_passwords_are_refused(password):
    check = check_password(password, "anna", "Anna de Vries")
    assert check.problem == ("too_short" if len(password) < MIN_PASSWORD else "too_weak")


@pytest.mark.parametrize("password", GOOD_PASSPHRASES)
def test_passphrases_of_random_words_pass(password):
    assert check_password(password, "anna", "Anna de Vries").ok


def test_length_limits_are_12_and_128_characters():
    assert check_password("x" * 11).problem == "too_short"
    assert check_password("kissa koira talvi " + "k" * 110).ok  # 128 characters
    assert check_password("kissa koira talvi " + "k" * 111).problem == "too_long"


def test_a_long_password_is_judged_by_its_first_72_characters_without_an_error():
    assert check_password("tulp fiets zeven regen " * 5).ok  # 115 characters; zxcvbn alone refuses > 72


@pytest.mark.parametrize(("password", "advice"), [
    ("Anna2026!!!!", "personal"),
    ("Jansen-Piet-2009", "personal"),
    ("P@ssw0rd2026", "substitution"),
    ("Wachtwoord12", "common"),
    ("Salasana123!", "common"),
    ("asdfghjkl;lkjh", "keyboard"),
    ("aaaaaaaaaaaa", "repeat"),
])
def test_weak_passwords_get_advice_about_their_weakest_part(password, advice):
    check = check_password(password, "pjansen", "Piet Jansen" if "Piet" in password else "Anna de Vries")
    assert (check.problem, check.advice) == ("too_weak", advice)


def test_dutch_hungarian_and_finnish_favourites_count_as_common_words():
    # without the local list zxcvbn (English) would take "zomer"/"nyár"/"kesä" for random letters
    for password in ("Zomer2026!!!", "Nyár2026!!!!", "Kesä2026!!!!"):
        assert check_password(password).advice == "common", password


def test_max_password_is_at_least_64():
    assert MAX_PASSWORD >= 64


@pytest.mark.parametrize(("typed", "stored"), [
    ("Kovács", "kovács"),
    ("KOVA\u0301CS", "kovács"),  # decomposed: a + combining acute
    ("  Mäkinen ", "mäkinen"),
    ("ａｎｎａ", "anna"),  # full-width letters
    ("Straße", "strasse"),
    ("anna\u00b2", "anna2"),  # superscript two
])
def test_usernames_are_normalised_with_nfkc_and_case_folding(typed, stored):
    assert normalise_username(typed) == stored


@pytest.mark.parametrize(("username", "problem"), [
    ("kovács", None), ("mäkinen", None), ("jan.de-vries_2", None), ("иван", None), ("ab", "length"),
    ("a" * 41, "length"), ("p\u0430ul", "mixed_scripts"), ("an\u200dna", "characters"),
    ("an na", "characters"), ("-anna", "characters"), ("anna!", "characters"), ("anna\u0663", "characters"),
])
def test_usernames_allow_letters_of_one_script_digits_and_dot_dash_underscore(username, problem):
    assert username_problem(username) == problem
