import pytest
from django.urls import reverse

from relations.models import Partner, Person
from relations.search import fold, highlight

SEARCH = reverse("search")


def group(response, label):
    return next(g for g in response.context["groups"] if g.label == label)


def titles(response, label):
    return [r.title for r in group(response, label).results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Changning", "Changning District (长宁区)"),
        ("长宁", "Changning District (长宁区)"),
        ("창닝", "Changning District (长宁区)"),
        ("밀양", "Miryang City (밀양시)"),
        ("MIRYANG", "Miryang City (밀양시)"),
    ],
)
def test_search_finds_partners_in_any_script(admin_client, demo, query, expected):
    assert titles(admin_client.get(SEARCH, {"q": query}), "Partners") == [expected]


def test_search_groups_results_by_kind(admin_client, demo):
    response = admin_client.get(SEARCH, {"q": "Changning"})
    labels = [g.label for g in response.context["groups"] if g.results]
    assert labels == ["Partners", "Institutions", "Agreements", "Delegations"]
    assert len(titles(response, "Delegations")) == 14


def test_search_finds_people_by_native_name_and_romanisation(admin_client, demo):
    assert titles(admin_client.get(SEARCH, {"q": "노현송"}), "People") == ["Ro Hyun-Song"]
    assert titles(admin_client.get(SEARCH, {"q": "ro hyun"}), "People") == ["Ro Hyun-Song"]


def test_search_highlights_the_matched_text(admin_client, demo):
    html = admin_client.get(SEARCH, {"q": "mizmedi"}).content.decode()
    assert "<mark>MizMedi</mark>" in html


def test_search_escapes_what_it_shows(admin_client, db):
    Person.objects.create(name="<script>alert(1)</script> Kim")
    html = admin_client.get(SEARCH, {"q": "kim"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_search_says_when_nothing_matches(admin_client, demo):
    html = admin_client.get(SEARCH, {"q": "Atlantis"}).content.decode()
    assert "Nothing found for “Atlantis”" in html


def test_an_empty_search_shows_only_the_box(admin_client, demo):
    response = admin_client.get(SEARCH, {"q": "  "})
    assert response.context["groups"] == []


def test_search_caps_each_group_and_says_how_many_more(admin_client, db):
    Partner.objects.bulk_create(
        Partner(
            name=f"Springfield {n}",
            country="US",
            level="sister",
            search_text=fold(f"Springfield {n}"),
        )
        for n in range(25)
    )
    response = admin_client.get(SEARCH, {"q": "springfield"})
    assert len(titles(response, "Partners")) == 20
    assert group(response, "Partners").more == 5
    assert "and 5 more" in response.content.decode()


def test_highlight_keeps_the_original_spelling_and_escapes():
    assert highlight("São Paulo & Rio", "sao") == "<mark>São</mark> Paulo &amp; Rio"
    assert highlight("Gangseo 강서구", "강서") == "Gangseo <mark>강서</mark>구"
    assert highlight("no match", "xyz") == "no match"
