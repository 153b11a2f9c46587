"""Pages of a class's gradebook and heat map: page size, the sort kept from page to page, the name
filter, the page links, forgiving bounds for hand-edited links, the complete CSV export, and a
cost per page that does not grow with the class."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from app.extensions import db
from app.models import ClassGroup
from app.services.gradebook import assigned_lessons
from app.services.paging import Pagination, clean_query, matching, paginate

from .test_gradebook import (
    add_student,
    cells_of,
    class_of,
    enrol,
    final_attempt,
    make_class,
    statements_for,
    teacher_client,
)

# --- the paging rules (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize("page, per_page, expected", [
    ("2", "25", (2, 25)), (None, None, (1, 50)), ("0", None, (1, 50)), ("-1", None, (1, 50)),
    ("abc", None, (1, 50)), ("99999", None, (3, 50)), ("9" * 5000, None, (3, 50)), ("١", None, (1, 50)),
    ("1", str(10**9), (1, 200)), ("1", "0", (1, 50)), ("1", "3", (1, 25)), ("2.5", "x", (1, 50)),
])
def test_a_page_asked_for_is_brought_within_bounds(page, per_page, expected):
    p = paginate(120, page, per_page)
    assert (p.page, p.per_page) == expected


def test_the_page_numbers_show_the_ends_and_the_neighbours_with_gaps():
    assert Pagination(1, 50, 3000).numbers() == [1, 2, 3, None, 60]
    assert Pagination(30, 50, 3000).numbers() == [1, None, 28, 29, 30, 31, 32, None, 60]
    assert Pagination(4, 50, 3000).numbers() == [1, 2, 3, 4, 5, 6, None, 60]  # no gap for one number
    assert Pagination(1, 50, 0).numbers() == [1]
    p = Pagination(2, 50, 60)
    assert (p.first, p.last, p.pages) == (51, 60, 2)


def test_the_name_filter_ignores_case_and_accents_and_needs_every_word():
    names = ["Bálint Kovács", "Aino Virtanen", "Anna de Vries"]
    assert matching(names, "balint", str) == ["Bálint Kovács"]
    assert matching(names, "ANNA vries", str) == ["Anna de Vries"]
    assert matching(names, "  ", str) == names
    assert clean_query("a\u0000b\u202e c\n" + "x" * 500) == ("ab c " + "x" * 500)[:100]


# --- a class of 60 ---------------------------------------------------------------------------------

def big_class(app, teacher_id: int, size: int = 60) -> tuple[int, int]:
    """Students "S000".."S059"; S<n> scored n % 11 out of 10 (none for n % 11 == 10)."""
    class_id, assignment_id = make_class(app, teacher_id, name=f"Big class {size}")
    with app.app_context():
        for n in range(size):
            student = add_student(f"S{n:03d}")
            enrol(class_id, student)
            if n % 11 != 10:
                final_attempt(student, "nl-l2", n % 11, 10, datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 10))
        db.session.commit()
    return class_id, assignment_id


def names_on(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return [row.split()[0] for row in cells_of(response.get_data(as_text=True))]


def test_the_gradebook_shows_50_students_a_page_with_a_count_and_page_links(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = big_class(app, teacher_id)
    page = client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True)
    assert len(cells_of(page)) == 50
    assert "Students 1–50 of 60" in page
    nav = re.search(r'<nav class="pagination" aria-label="Pages of the gradebook">(.*?)</nav>', page, re.S).group(1)
    assert re.search(r'aria-current="page" class="pagination-current"><span class="visually-hidden">Page 1</span>', nav)
    assert f'href="/classes/{class_id}/gradebook?page=2" rel="next"' in nav
    assert "Previous" not in nav
    second = client.get(f"/classes/{class_id}/gradebook?page=2").get_data(as_text=True)
    assert [row.split()[0] for row in cells_of(second)] == [f"S{n:03d}" for n in range(50, 60)]
    assert "Students 51–60 of 60" in second
    assert f'href="/classes/{class_id}/gradebook" rel="prev"' in second
    assert len(cells_of(client.get(f"/classes/{class_id}/gradebook?per_page=25&page=3").get_data(as_text=True))) == 10


def test_the_sort_is_kept_from_page_to_page(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, assignment_id = big_class(app, teacher_id)
    base = f"/classes/{class_id}/gradebook"
    for sort in ("-name", f"a{assignment_id}", f"-a{assignment_id}"):
        whole = names_on(client, f"{base}?sort={sort}&per_page=100")
        paged = [name for n in (1, 2, 3) for name in names_on(client, f"{base}?sort={sort}&per_page=25&page={n}")]
        assert paged == whole and len(whole) == 60, sort
        page = client.get(f"{base}?sort={sort}&per_page=25").get_data(as_text=True)
        assert f'href="{base}?page=2&amp;per_page=25&amp;sort={sort}" rel="next"' in page
        # the sort buttons keep the page size (and start again at page 1)
        assert '<input type="hidden" name="per_page" value="25">' in page
    descending = names_on(client, f"{base}?sort=-a{assignment_id}&per_page=100")
    assert descending[:5] == ["S009", "S020", "S031", "S042", "S053"]  # 90 %, in name order
    assert descending[-5:] == ["S010", "S021", "S032", "S043", "S054"]  # no score: last either way


def test_the_name_filter_finds_students_and_the_count_says_so(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = big_class(app, teacher_id)
    with app.app_context():
        enrol(class_id, add_student("Bálint Kovács"))
        db.session.commit()
    base = f"/classes/{class_id}/gradebook"
    page = client.get(f"{base}?q=BALINT").get_data(as_text=True)
    assert [row.split()[0] for row in cells_of(page)] == ["Bálint"]
    assert "Students 1–1 of 1 matching “BALINT” (class of 61)" in page
    assert 'value="BALINT"' in page
    assert names_on(client, f"{base}?q=S05&sort=-name") == [f"S05{n}" for n in range(9, -1, -1)]
    page = client.get(f"{base}?q=nobody").get_data(as_text=True)
    assert "No student matches “nobody”." in page and not cells_of(page)


@pytest.mark.parametrize("query", [
    "page=0", "page=-1", "page=abc", "page=99999", f"page={10**40}", f"per_page={10**9}", "per_page=-5",
    "page=%EF%BC%92", "q=%01%1B", "q=%E2%80%AE%F0%9F%98%80%CC%81", "q=" + "%C3%A9" * 3000, "q=%25%27%22%3C%3E",
    "sort=" + "a" * 5000, "q=%FF%FE",
])
def test_hand_edited_page_links_give_a_page_not_an_error(app, query):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = big_class(app, teacher_id, size=55)
    for what in ("gradebook", "mastery"):
        response = client.get(f"/classes/{class_id}/{what}?{query}")
        assert response.status_code == 200, (what, query)
        page = response.get_data(as_text=True)
        assert re.search(r"Students \d+–\d+ of \d+|No student matches", page), (what, query)
        assert "<script" not in page.split("<main", 1)[1].replace('<script src="/static/', "")
    page = client.get(f"/classes/{class_id}/gradebook?page=99999").get_data(as_text=True)
    assert "Students 51–55 of 55" in page  # the last page


def test_a_nul_character_in_the_filter_is_refused_like_everywhere(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = big_class(app, teacher_id, size=3)
    assert client.get(f"/classes/{class_id}/gradebook?q=a%00b").status_code == 400


def test_the_csv_export_keeps_every_student(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = big_class(app, teacher_id)
    response = client.get(f"/classes/{class_id}/export/gradebook.csv")
    lines = response.data.decode("utf-8-sig").strip("\r\n").split("\r\n")
    assert len(lines) == 1 + 60


# --- the heat map ----------------------------------------------------------------------------------

def test_the_heat_map_pages_its_students_and_numbers_its_goal_columns_with_a_legend(app):
    client, teacher_id, _ = teacher_client(app)
    class_id, _ = big_class(app, teacher_id)
    page = client.get(f"/classes/{class_id}/mastery?per_page=25&page=3&q=s0").get_data(as_text=True)
    assert "Students 51–60 of 60 matching “s0” (class of 60)" in page
    assert len(re.findall(r'<th scope="row">', page)) == 10
    assert f'href="/classes/{class_id}/mastery?page=2&amp;per_page=25&amp;q=s0" rel="prev"' in page
    heads = re.findall(r'<th scope="col" class="goal-column"[^>]*>(.*?)</th>', page, re.S)
    legend = re.findall(r'<dt id="goal-\d+">(G\d+)</dt><dd lang="\w+">(.*?)</dd>', page)
    assert heads and len(heads) == len(legend)
    for number, (head, (label, text)) in enumerate(zip(heads, legend, strict=True), start=1):
        assert label == f"G{number}"
        # short visible label; the full goal text for screen readers in the header itself
        assert head.startswith(f"G{number}<span class=\"visually-hidden\">: ")
        assert text in head


# --- constant cost ---------------------------------------------------------------------------------

def test_a_later_page_costs_the_same_statements_as_the_first_page_of_a_small_class(app):
    client, teacher_id, _ = teacher_client(app)
    small, large = class_of(app, teacher_id, 5), class_of(app, teacher_id, 60)
    for page in ("gradebook", "gradebook?sort=-name", "mastery"):
        first = statements_for(app, client, f"/classes/{small}/{page}")
        second = statements_for(app, client, f"/classes/{large}/{page}{'&' if '?' in page else '?'}page=2")
        assert first == second, (page, first, second)
    small_sort, large_sort = (f"-a{first_assignment(app, class_id)}" for class_id in (small, large))
    by_score_small = statements_for(app, client, f"/classes/{small}/gradebook?sort={small_sort}")
    by_score_large = statements_for(app, client, f"/classes/{large}/gradebook?sort={large_sort}&page=2")
    assert by_score_small == by_score_large <= 13


def first_assignment(app, class_id: int) -> int:
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        return assigned_lessons(group)[0][0].id
