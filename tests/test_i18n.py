"""The interface in English, Korean and Chinese: the switcher, dates, names in the script
of the language, and spreadsheets exported in one language imported in another."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import trans_real

from relations.dates import Precision, format_partial, parse_partial
from relations.importing import NEW, UNCHANGED, column_keys, match_headers, plan_import
from relations.models import Partner, Person
from relations.resources import PartnerResource
from relations.roles import VIEWER, user_assign_role
from relations.spreadsheets import Table, header_key

SWITCH = "/i18n/"
ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture
def viewer(client, db):
    user = get_user_model().objects.create_user("reader")
    user_assign_role(user=user, role=VIEWER.name)
    client.force_login(user)
    return user


def make_partner(**fields) -> Partner:
    values = {"name": "Gangneung City", "country": "KR", "level": Partner.Level.SISTER}
    return Partner.objects.create(**values | fields)


# ---- The switcher ------------------------------------------------------------------------


def test_the_switcher_keeps_the_choice_in_a_cookie_and_the_next_page_is_korean(client, viewer):
    response = client.post(SWITCH, {"language": "ko", "next": "/partners/"})

    assert response.status_code == 302
    assert response.url == "/partners/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ko"
    assert cookie["max-age"] == ONE_YEAR
    page = client.get("/partners/").content.decode()
    assert '<html lang="ko">' in page
    assert 'aria-pressed="true">한국어</button>' in page


def test_every_page_offers_the_three_languages(client, viewer):
    page = client.get("/partners/").content.decode()

    assert '<html lang="en">' in page
    assert 'action="/i18n/"' in page
    assert 'name="next" value="/partners/"' in page
    for code, name in [("en", "English"), ("ko", "한국어"), ("zh-hans", "简体中文")]:
        assert f'value="{code}" lang="{code}"' in page
        assert f">{name}</button>" in page


def test_the_login_page_switches_language_without_logging_in(client, db):
    login = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/"' in login

    response = client.post(SWITCH, {"language": "zh-hans", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response.url == "/accounts/login/"  # not to the login page asking to log in first
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()


def test_a_page_in_korean_shows_dates_as_korean_offices_write_them(client, viewer):
    partner = make_partner(
        established_on=datetime.date(2013, 8, 27), established_on_precision=Precision.DAY
    )
    client.post(SWITCH, {"language": "ko", "next": "/"})

    page = client.get(partner.get_absolute_url()).content.decode()

    assert "2013년 8월 27일" in page
    assert "27 Aug 2013" not in page


# ---- Partial dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "year", "month", "day"),
    [
        ("en", "2010", "Oct 2010", "27 Aug 2013"),
        ("ko", "2010년", "2010년 10월", "2013년 8월 27일"),
        ("zh-hans", "2010年", "2010年10月", "2013年8月27日"),
    ],
)
def test_partial_dates_are_written_as_each_language_writes_them(language, year, month, day):
    with translation.override(language):
        assert format_partial(datetime.date(2010, 1, 1), Precision.YEAR) == year
        assert format_partial(datetime.date(2010, 10, 1), Precision.MONTH) == month
        assert format_partial(datetime.date(2013, 8, 27), Precision.DAY) == day


@pytest.mark.parametrize("language", ["en", "ko", "zh-hans"])
def test_a_partial_date_written_in_any_language_reads_back(language):
    dates = [(datetime.date(2010, 1, 1), Precision.YEAR), (datetime.date(2010, 10, 1), "month")]
    dates.append((datetime.date(2013, 8, 27), Precision.DAY))
    for date, precision in dates:
        with translation.override(language):
            text = format_partial(date, precision)
        partial = parse_partial(text)
        assert (partial.date, partial.precision) == (date, precision)


# ---- Names in the script of the language ----------------------------------------------------


def shown_name(record, language: str) -> str:
    with translation.override(language):
        return Template("{% load amity %}{{ record|name_for_language }}").render(
            Context({"record": record})
        )


def test_korean_shows_a_hangul_native_name_and_other_languages_the_english_name():
    gangseo = Partner(name="Gangseo District", native_name="강서구")

    assert shown_name(gangseo, "ko") == "강서구"
    assert shown_name(gangseo, "zh-hans") == "Gangseo District"
    assert shown_name(gangseo, "en") == "Gangseo District"


def test_chinese_shows_a_han_native_name_and_other_languages_the_english_name():
    changning = Partner(name="Changning District", native_name="长宁区")
    wang = Person(name="Wang Lan", native_name="王岚")

    assert shown_name(changning, "zh-hans") == "长宁区"
    assert shown_name(wang, "zh-hans") == "王岚"
    assert shown_name(changning, "ko") == "Changning District"
    assert shown_name(changning, "en") == "Changning District"


def test_a_name_in_kana_or_latin_script_or_none_leaves_the_english_name():
    assert shown_name(Partner(name="Saitama", native_name="さいたま市"), "zh-hans") == "Saitama"
    assert shown_name(Partner(name="Lyon", native_name="Lyon"), "ko") == "Lyon"
    assert shown_name(Partner(name="Miryang City"), "ko") == "Miryang City"


def test_the_other_name_is_shown_beside_the_one_the_language_reads():
    gangseo = Partner(name="Gangseo District", native_name="강서구")
    template = Template("{% load amity %}{{ record|other_name_for_language }}")

    with translation.override("ko"):
        assert template.render(Context({"record": gangseo})) == "Gangseo District"
    with translation.override("en"):
        assert template.render(Context({"record": gangseo})) == "강서구"
    with translation.override("en"):
        assert template.render(Context({"record": Partner(name="Lyon")})) == ""


def test_the_partner_list_in_korean_leads_with_the_hangul_name(client, viewer):
    make_partner(name="Miryang City", native_name="밀양시")
    client.post(SWITCH, {"language": "ko", "next": "/"})

    page = client.get("/partners/").content.decode()

    assert '">밀양시</a> <span class="text-body-secondary">Miryang City</span>' in page


# ---- Spreadsheets exported in one language, imported in another ------------------------------

# Korean headers and labels no alias of the resources spells this way: only the
# translation can match them.
KOREAN = {
    "English name": "영어 이름(시험)",
    "Relationship level": "관계 단계(시험)",
    "Sister city": "자매 도시(시험)",
    "Country code": "국가 코드(시험)",
}


@pytest.fixture
def korean_catalogue(monkeypatch):
    """A few Korean translations, whether or not the catalogue has them yet."""
    korean = trans_real.translation("ko")
    original = korean.gettext
    monkeypatch.setattr(korean, "gettext", lambda message: KOREAN.get(message) or original(message))


def test_each_column_is_found_by_its_header_in_every_language(korean_catalogue):
    resource = PartnerResource()
    with translation.override("ko"):
        for column_id, column in resource.import_columns():
            keys = column_keys(column_id, column)
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    header = str(column.declared_header)  # gettext of the English header
                assert header_key(header) in keys, (column_id, code)
    assert header_key("영어 이름(시험)") in column_keys("name", resource.fields["name"])


def test_a_partner_list_exported_in_korean_imports_back_unchanged(korean_catalogue, db):
    make_partner(name="Miryang City", native_name="밀양시")
    resource = PartnerResource()
    with translation.override("ko"):
        headers, *rows = list(resource.export_rows(Partner.objects.all()))
    assert {"영어 이름(시험)", "관계 단계(시험)", "국가 코드(시험)"} <= set(headers)
    assert "자매 도시(시험)" in rows[0]

    with translation.override("en"):
        mapping = match_headers(resource, headers)
        plan = plan_import(resource, Table(headers, list(enumerate(rows, 2)), "XLSX"))

    assert mapping[headers.index("영어 이름(시험)")] == "name"
    assert mapping[headers.index("국가 코드(시험)")] == ""  # an export's own column: left out
    assert not plan.has_errors, [*plan.problems, *map(str, plan.errors)]
    assert plan.totals[UNCHANGED] == 1 and plan.totals[NEW] == 0
