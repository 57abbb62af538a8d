"""Every kind of page, on the invented data set of `generate_data --scale 0.01`, within a
fixed number of queries: the bounds hold whatever the data, so a page that issues one
query per row fails here before it is slow at scale 1."""

import pytest
from django.contrib import admin
from django.urls import reverse

from delegations.models import Delegation, Gift
from relations.models import Agreement, Institution, Partner, Person, Sector


def busiest_partner():
    return max(Partner.objects.partners(), key=lambda p: p.delegations.count())


def busiest_delegation():
    return max(Delegation.objects.all()[:200], key=lambda d: d.members.count())


# Page kind -> (URL made from the generated records, query bound): what the page takes at
# scale 0.01 with a query or two of slack. None of them grows with the data.
PAGES = {
    "dashboard": (lambda: reverse("home"), 30),
    "search": (lambda: reverse("search") + "?q=" + Person.objects.first().name[:4], 10),
    "partner list": (lambda: reverse("relations:partner-list"), 7),
    "partner list, filtered": (
        lambda: (
            reverse("relations:partner-list")
            + f"?sector={Sector.objects.first().pk}&scope=foreign&sort=-name"
        ),
        8,
    ),
    "partner dossier": (
        lambda: reverse("relations:partner-detail", args=[busiest_partner().pk]),
        30,
    ),
    "partner history": (
        lambda: reverse("relations:partner-history", args=[busiest_partner().pk]),
        8,
    ),
    "partner edit": (lambda: reverse("relations:partner-update", args=[busiest_partner().pk]), 8),
    "briefing": (lambda: reverse("delegations:briefing-print", args=[busiest_partner().pk]), 30),
    "agreement list": (lambda: reverse("relations:agreement-list"), 8),
    "agreement detail": (
        lambda: reverse("relations:agreement-detail", args=[Agreement.objects.last().pk]),
        15,
    ),
    "agreement edit": (
        lambda: reverse("relations:agreement-update", args=[Agreement.objects.last().pk]),
        12,
    ),
    "person list": (lambda: reverse("relations:person-list"), 7),
    "person detail": (
        lambda: reverse("relations:person-detail", args=[Person.objects.last().pk]),
        12,
    ),
    "person edit": (
        lambda: reverse("relations:person-update", args=[Person.objects.last().pk]),
        8,
    ),
    "institution list": (lambda: reverse("relations:institution-list"), 6),
    "institution detail": (
        lambda: reverse("relations:institution-detail", args=[Institution.objects.last().pk]),
        12,
    ),
    "delegation list": (lambda: reverse("delegations:delegation-list"), 10),
    "delegation list, filtered": (
        lambda: (
            reverse("delegations:delegation-list")
            + "?status=completed&direction=inbound&sort=-start"
        ),
        10,
    ),
    "delegation detail": (
        lambda: reverse("delegations:delegation-detail", args=[busiest_delegation().pk]),
        32,
    ),
    "delegation edit": (
        lambda: reverse("delegations:delegation-update", args=[busiest_delegation().pk]),
        24,
    ),
    "delegation print": (
        lambda: reverse("delegations:delegation-print", args=[busiest_delegation().pk]),
        8,
    ),
    "clashes": (lambda: reverse("delegations:clash-list"), 12),
    "calendar": (lambda: reverse("delegations:calendar"), 6),
    "gift list": (lambda: reverse("delegations:gift-list"), 6),
    "gift detail": (lambda: reverse("delegations:gift-detail", args=[Gift.objects.last().pk]), 9),
    "reports": (lambda: reverse("delegations:report-list"), 18),
    # One query for each kind of record the history keeps, whatever their number.
    "deleted records": (lambda: reverse("relations:deleted-records"), 25),
    "imports": (lambda: reverse("relations:import-start"), 4),
    "partner lookup": (lambda: reverse("relations:lookup", args=["partners"]) + "?q=a", 5),
    "people lookup": (lambda: reverse("relations:lookup", args=["people"]) + "?q=a", 5),
}


@pytest.mark.parametrize("kind", PAGES)
def test_the_page_keeps_its_query_bound_at_scale(
    kind, generated, admin_client, django_assert_max_num_queries
):
    url, bound = PAGES[kind]
    url = url()

    with django_assert_max_num_queries(bound):
        response = admin_client.get(url)

    assert response.status_code == 200, url


ADMIN_MODELS = sorted(
    (f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry),
)


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_every_admin_changelist_keeps_its_query_bound_at_scale(
    label, generated, admin_client, django_assert_max_num_queries
):
    url = reverse(f"admin:{label.replace('.', '_')}_changelist")

    # Session, user, the page of 100 rows with their foreign keys, the filters' choices;
    # no COUNT(*) of a whole large table beyond the one Django needs for the paginator.
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)

    assert response.status_code == 200, url
