"""`manage.py generate_data`: the large invented data set the load test runs against."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from delegations.generate import targets
from delegations.models import Delegation, Gift, Member, ProgrammeItem
from relations.models import Agreement, Partner, Person
from relations.search import search_text

SCALE = 0.01  # as the `generated` fixture (conftest.py) makes it


def test_it_adds_to_the_demo_data_and_keeps_its_home(demo):
    # First in the module: the tests after it share one generated data set.
    home = Partner.objects.home()

    call_command("generate_data", scale=SCALE, interactive=False, stdout=io.StringIO())

    assert Partner.objects.home() == home
    assert Partner.objects.filter(name="Changning District").exists()


def test_it_asks_before_writing_and_writes_nothing_unless_told_yes(db, monkeypatch):
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")

    with pytest.raises(CommandError, match="Nothing generated"):
        call_command("generate_data", scale=SCALE, stdout=io.StringIO())

    assert "adds about 8,520 invented records" in asked[0]
    assert not Delegation.objects.exists()


def test_it_makes_the_proportions_the_issue_asks_for(db, generated):
    want = targets(SCALE)

    assert Partner.objects.partners().count() == want["partners"] == 20
    assert Delegation.objects.count() == want["delegations"] == 500
    assert Agreement.objects.count() == want["agreements"] == 200
    # Members and programme items are drawn per visit around the mean: within 10%.
    assert Member.objects.count() == pytest.approx(want["members"], rel=0.1)
    assert ProgrammeItem.objects.count() == pytest.approx(want["programme items"], rel=0.1)
    # A gift is skipped when it would repeat another of the same partner on the same day.
    assert Gift.objects.count() == pytest.approx(want["gifts"], rel=0.1)


def test_it_prints_what_it_made(db, generated):
    output, _ = generated

    assert f"{Delegation.objects.count():,}  delegations" in output
    assert f"{Member.objects.count():,}  members" in output
    assert "Generated " in output and "at scale 0.01" in output


def test_it_writes_in_bulk(db, generated):
    _, queries = generated
    rows = sum(model.objects.count() for model in (Partner, Person, Delegation, Member))

    # One INSERT per batch, not per row: 5,000 members take a handful of statements.
    assert queries < 300 and rows > 15 * queries


def test_names_come_in_several_scripts(db, generated):
    natives = "".join(Partner.objects.values_list("native_name", flat=True))
    people = "".join(Person.objects.values_list("native_name", flat=True))

    scripts = {
        "Han": any("\u4e00" <= c <= "\u9fff" for c in natives + people),
        "Hangul": any("\uac00" <= c <= "\ud7a3" for c in people),
        "Cyrillic": any("\u0400" <= c <= "\u04ff" for c in natives + people),
    }
    assert all(scripts.values()), scripts


def test_old_records_keep_dates_known_only_to_the_month_or_year(db, generated):
    precisions = set(Delegation.objects.values_list("start_precision", flat=True))

    assert {"day", "month", "year"} <= precisions
    month = Delegation.objects.filter(start_precision="month").first()
    assert month.start.day == 1


def test_what_save_would_derive_is_derived(db, generated):
    partner = Partner.objects.partners().first()

    assert partner.search_text == search_text(partner.name, partner.native_name)
    assert partner.history.count() == 1
    assert partner.aliases.exists()


@pytest.mark.parametrize("model", [Partner, Person, Agreement, Delegation, Gift, Member])
def test_the_records_pass_the_checks_a_form_would_make(db, generated, model):
    for record in model.objects.order_by("?")[:25]:
        try:
            record.full_clean()
        except ValidationError as error:
            pytest.fail(f"{model.__name__} {record.pk}: {error.message_dict}")


def test_a_second_run_on_the_same_database_is_refused(db, generated):
    with pytest.raises(CommandError, match="already holds a generated data set"):
        call_command("generate_data", scale=SCALE, interactive=False, stdout=io.StringIO())
    assert Delegation.objects.count() == 500
