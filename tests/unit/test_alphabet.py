"""Glossary order and index letters in the rules of each course language."""

from app.content.alphabet import index_letter, letter_groups


def terms(groups):
    return [(letter, [entry["term"] for entry in entries]) for letter, entries in groups]


def test_finnish_files_a_umlaut_and_o_umlaut_after_z():
    words = ["öljy", "ääni", "zeta", "asiakas", "åland", "empatia"]
    assert terms(letter_groups([{"term": w} for w in words], "fi")) == [
        ("A", ["asiakas"]), ("E", ["empatia"]), ("Z", ["zeta"]), ("Å", ["åland"]), ("Ä", ["ääni"]), ("Ö", ["öljy"])]


def test_hungarian_double_letters_and_o_umlaut_are_letters_of_their_own():
    words = ["szolgáltatás", "sajt", "csoport", "cukor", "ügyfél", "utó", "őr", "olló", "dzsem", "dal"]
    assert terms(letter_groups([{"term": w} for w in words], "hu")) == [
        ("C", ["cukor"]), ("Cs", ["csoport"]), ("D", ["dal"]), ("Dzs", ["dzsem"]), ("O", ["olló"]), ("Ö", ["őr"]),
        ("S", ["sajt"]), ("Sz", ["szolgáltatás"]), ("U", ["utó"]), ("Ü", ["ügyfél"])]


def test_hungarian_accented_vowels_share_the_plain_letter():
    assert terms(letter_groups([{"term": w} for w in ["eszkaláció", "értő hallgatás", "adó", "ár"]], "hu")) == [
        ("A", ["adó", "ár"]), ("E", ["értő hallgatás", "eszkaláció"])]


def test_dutch_ignores_accents_and_case_and_puts_numbers_first():
    words = ["Zorg", "één", "eerlijk", "80/20-regel", "Aanbod"]
    assert terms(letter_groups([{"term": w} for w in words], "nl")) == [
        ("0–9", ["80/20-regel"]), ("A", ["Aanbod"]), ("E", ["één", "eerlijk"]), ("Z", ["Zorg"])]


def test_index_letter_of_a_capitalised_double_letter():
    assert index_letter("Nyuszi / házőrző", "hu") == "Ny"
    assert index_letter("Nyuszi", "nl") == "N"
