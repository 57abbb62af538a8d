"""Questions about gifts that a visit's page asks."""

from django.db.models import F, Q

from relations.dates import Precision, last_day

from .models import Delegation, Gift


def gifts_given_before(delegation: Delegation, limit: int = 20) -> list[Gift]:
    """Gifts we gave the delegation's partner before this visit, newest first, so that
    none is given twice.

    Undated gifts are listed (last): they may well be earlier. When the visit's start is
    known only to the month or year, gifts from within that period count as before it;
    which came first cannot be told, and showing one too many is the safer mistake.
    """
    start = delegation.start
    if delegation.start_precision != Precision.DAY:
        before = Q(given_on__lte=last_day(start, delegation.start_precision))
    else:
        before = Q(given_on__lt=start)
    gifts = (
        Gift.objects.filter(direction=Gift.Direction.GIVEN, partner_id=delegation.partner_id)
        .filter(before | Q(given_on__isnull=True))
        .exclude(delegation=delegation)
        .select_related("delegation")
        .order_by(F("given_on").desc(nulls_last=True), "description", "pk")
    )
    return list(gifts[:limit])
