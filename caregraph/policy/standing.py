"""Agency staff, the agencies involved in a network now, and each user's standing in the
networks they may see."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Involvement, StaffMembership, StaffRole
from caregraph.models import (
    Membership,
    MembershipStatus,
    Network,
    Person,
)
from caregraph.policy.audiences import AnyUser, Viewer, record_audiences

# --- Agency staff ---------------------------------------------------------------------------

MATCH_REVIEWER_ROLES = (StaffRole.SAFEGUARDING_LEAD, StaffRole.AGENCY_ADMIN)


def _staff(user: AnyUser) -> QuerySet[StaffMembership]:
    if not user.is_authenticated or user.pk is None:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(user_id=user.pk, is_active=True)


# Where a user object lives for one request only (the one the session middleware loads),
# `staff_memo_start` gives it a memo: the two-factor duty, the layout's links and the
# viewer's standing then ask for the user's staff memberships once between them, not four
# times. A user object without it (a socket's, a test's) asks each time.
STAFF_MEMO_ATTRIBUTE = "_caregraph_staff_rows"
# With the staff rows, the same query says whether the user has an authenticator app, which
# the two-factor duty asks of staff on every request (`caregraph.policy.two_factor`).
AUTHENTICATOR_MEMO_ATTRIBUTE = "_caregraph_has_authenticator"


def staff_memo_start(user: AnyUser) -> None:
    """Lets this request's user object remember its staff memberships for the request."""
    if user.is_authenticated:
        setattr(user, STAFF_MEMO_ATTRIBUTE, None)
        setattr(user, AUTHENTICATOR_MEMO_ATTRIBUTE, None)


def staff_rows(user: AnyUser) -> list[tuple[int, str]]:
    """The user's active staff memberships as (agency id, role); once per request where the
    user object has a memo (`staff_memo_start`)."""
    if not user.is_authenticated or user.pk is None:
        return []
    memo_kept = hasattr(user, STAFF_MEMO_ATTRIBUTE)
    if memo_kept and getattr(user, STAFF_MEMO_ATTRIBUTE) is not None:
        return list(getattr(user, STAFF_MEMO_ATTRIBUTE))
    if not memo_kept:
        return list(_staff(user).order_by("pk").values_list("agency_id", "role"))
    with connection.cursor() as cursor:
        cursor.execute(_staff_sql(), {"user": user.pk, "totp": Authenticator.Type.TOTP})
        found = cursor.fetchall()
    rows = [(agency_id, role) for agency_id, role, _ in found]
    setattr(user, STAFF_MEMO_ATTRIBUTE, tuple(rows))
    if found:  # staff: the duty will ask; nobody else's answer is needed
        setattr(user, AUTHENTICATOR_MEMO_ATTRIBUTE, bool(found[0][2]))
    return rows


@functools.cache
def _staff_sql() -> str:
    """`_staff(user)`'s rows and whether the user has an authenticator app, in one statement
    written out once: it runs on every page."""
    staff = connection.ops.quote_name(StaffMembership._meta.db_table)
    apps = connection.ops.quote_name(Authenticator._meta.db_table)
    return (
        f"SELECT agency_id, role, EXISTS (SELECT 1 FROM {apps} "  # nosec B608 (model names)
        "WHERE user_id = %(user)s AND type = %(totp)s) "
        f"FROM {staff} WHERE user_id = %(user)s AND is_active ORDER BY id"
    )


def authenticator_memo(user: AnyUser) -> bool | None:
    """Whether the user has an authenticator app, as read with their staff rows in this
    request; None where that was not read."""
    return getattr(user, AUTHENTICATOR_MEMO_ATTRIBUTE, None)


def user_is_agency_staff(*, user: AnyUser) -> bool:
    """Active staff of any agency: they register people, ask to join networks, see staff
    lists, act as professionals, and must use two-factor sign-in. The one test of it."""
    return bool(staff_rows(user))


def user_may_register_people(*, user: AnyUser) -> bool:
    return user_is_agency_staff(user=user)


def user_may_review_matches(*, user: AnyUser) -> bool:
    """Safeguarding leads and agency admins review possible matches; nobody else does."""
    return any(role in MATCH_REVIEWER_ROLES for _, role in staff_rows(user))


def user_is_safeguarding_lead(*, user: AnyUser) -> bool:
    return any(role == StaffRole.SAFEGUARDING_LEAD for _, role in staff_rows(user))


def user_agency_list(*, user: AnyUser) -> list[Agency]:
    """The agencies the user works for now, by name; empty for family, friends and the
    person."""
    return list(
        Agency.objects.filter(pk__in=_staff(user).values("agency_id")).order_by("name", "pk")
    )


def user_acting_agency(*, user: AnyUser, agency: Agency | None = None) -> Agency | None:
    """The agency a professional acts for outside any one network (registering someone,
    asking to join): the one named, which must be theirs, or their first. None for anyone
    who is not agency staff."""
    staff = _staff(user).select_related("agency")
    if agency is not None:
        if not staff.filter(agency=agency).exists():
            raise ValidationError({"agency": ["You can only act for an agency you work for"]})
        return agency
    first = staff.order_by("pk").first()
    return first.agency if first else None


def agency_staff_may_be_listed(*, user: AnyUser) -> bool:
    """Agency staff find colleagues of other agencies; nobody else sees staff lists."""
    return user_is_agency_staff(user=user)


# --- Agencies involved now ------------------------------------------------------------------


def involvement_open_now(*, prefix: str = "", today: datetime.date | None = None) -> Q:
    """Involvement that is open today: no end date, or one today or ahead."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})


def involvement_is_open(involvement: Involvement, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return involvement.ended_on is None or involvement.ended_on >= today


def involved_agency_ids_by_network(network_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each network, the agencies involved now: open involvement, or a member acting."""
    network_ids = list(network_ids)
    involved: dict[int, set[int]] = {network_id: set() for network_id in network_ids}
    rows = list(
        Involvement.objects.filter(network_id__in=network_ids)
        .filter(involvement_open_now())
        .values_list("network_id", "agency_id")
    ) + list(
        Membership.objects.filter(
            network_id__in=network_ids, status=MembershipStatus.ACTIVE, agency__isnull=False
        ).values_list("network_id", "agency_id")
    )
    for network_id, agency_id in rows:
        involved[network_id].add(agency_id)
    return involved


def networks_involving(agency_ids: QuerySet[Any, Any] | Iterable[int], *, field: str = "pk") -> Q:
    """A Q on networks (by `field`) where one of the agencies is involved now."""
    if not isinstance(agency_ids, QuerySet):
        agency_ids = list(agency_ids)
    via_involvement = Involvement.objects.filter(
        network_id=OuterRef(field), agency_id__in=agency_ids
    ).filter(involvement_open_now())
    via_member = Membership.objects.filter(
        network_id=OuterRef(field), status=MembershipStatus.ACTIVE, agency_id__in=agency_ids
    )
    return Q(Exists(via_involvement)) | Q(Exists(via_member))


# --- Networks and each user's standing in them ----------------------------------------------


def _lead_agency_ids(user: AnyUser) -> QuerySet[StaffMembership, Any]:
    return _staff(user).filter(role=StaffRole.SAFEGUARDING_LEAD).values("agency_id")


def networks_reviewed_by(*, user: AnyUser) -> QuerySet[Network]:
    """Networks the user reviews as a safeguarding lead of an agency involved in them."""
    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(networks_involving(_lead_agency_ids(user)))


def networks_visible_to(*, user: AnyUser) -> QuerySet[Network]:
    """Networks where the user is an active member or a safeguarding lead of an involved agency."""
    if not user.is_authenticated:
        return Network.objects.none()
    member = Membership.objects.filter(
        network_id=OuterRef("pk"), user_id=user.pk, status=MembershipStatus.ACTIVE
    )
    return Network.objects.filter(Q(Exists(member)) | networks_involving(_lead_agency_ids(user)))


def _viewer_make(
    *,
    user_id: int,
    network_id: int,
    membership: Membership | None,
    staff: list[tuple[int, str]],
    involved: set[int],
) -> Viewer | None:
    lead_agency_ids = {
        agency_id for agency_id, role in staff if role == StaffRole.SAFEGUARDING_LEAD
    }
    reviewing = frozenset(lead_agency_ids & involved)
    if membership is None and not reviewing:
        return None
    agency_ids = {agency_id for agency_id, _ in staff}
    if membership is not None and membership.agency_id:
        agency_ids.add(membership.agency_id)
    return Viewer(
        user_id=user_id,
        network_id=network_id,
        membership=membership,
        agency_ids=frozenset(agency_ids),
        reviewing_lead_agency_ids=reviewing,
    )


def viewers_for_user(*, user: AnyUser, networks: list[Network]) -> dict[int, Viewer]:
    """The user's standing in each of several networks, in four queries however many.

    Networks the user may not see are left out of the answer. What this reads (memberships,
    staff rows, involvements, the day) is also read by the calendar feed's stamp
    (`calendars/feed_stamps.py`), which answers an unchanged feed without asking again: a
    new input here must be added there too.
    """
    if not user.is_authenticated or user.pk is None or not networks:
        return {}
    network_ids = [network.pk for network in networks]
    memberships = {
        membership.network_id: membership
        for membership in Membership.objects.filter(
            network_id__in=network_ids, user_id=user.pk, status=MembershipStatus.ACTIVE
        ).select_related("agency")
    }
    staff = staff_rows(user)
    is_lead = any(role == StaffRole.SAFEGUARDING_LEAD for _, role in staff)
    involved = involved_agency_ids_by_network(network_ids) if is_lead else {}
    viewers = {}
    for network_id in network_ids:
        found = _viewer_make(
            user_id=user.pk,
            network_id=network_id,
            membership=memberships.get(network_id),
            staff=staff,
            involved=involved.get(network_id, set()),
        )
        if found is not None:
            viewers[network_id] = found
    return viewers


def viewer_for(*, user: AnyUser, network: Network) -> Viewer | None:
    """The user's standing in the network, or None when they may not see it at all."""
    return viewers_for_user(user=user, networks=[network]).get(network.pk)


def network_get_for_user(*, user: AnyUser, network_id: int | str) -> tuple[Network, Viewer]:
    """The network and the user's standing in it; 404 for "not there" and "not yours" alike.

    Every network page starts here, so a member's standing comes with the network in one
    query (their membership, its network and person); only a user who is not a member
    (a reviewing safeguarding lead, or nobody) needs the network read on its own.
    """
    if not user.is_authenticated or user.pk is None:
        raise Http404("No such network")
    try:
        membership = _membership_with_network(network_id=int(network_id), user_id=user.pk)
        network = (
            membership.network
            if membership is not None
            else Network.objects.select_related("person").get(pk=int(network_id))
        )
    except (Network.DoesNotExist, ValueError, TypeError, OverflowError) as missing:
        raise Http404("No such network") from missing
    staff = staff_rows(user)
    is_lead = any(role == StaffRole.SAFEGUARDING_LEAD for _, role in staff)
    viewer = _viewer_make(
        user_id=user.pk,
        network_id=network.pk,
        membership=membership,
        staff=staff,
        involved=involved_agency_ids_by_network([network.pk])[network.pk] if is_lead else set(),
    )
    if viewer is None:
        raise Http404("No such network")
    return network, viewer


MEMBERSHIP_TABLES = (Membership, Agency, Network, Person)


@functools.cache
def _membership_sql() -> tuple[str, tuple[list[str], ...], list[tuple[int, list[Any], Any]]]:
    """The active membership with its agency, network and person in one row: the statement
    Django makes of `select_related("agency", "network__person")`, written out once (every
    network page starts with it, and compiling it cost more than running it). With it, the
    column names of each model and the converters of the columns that need one."""
    aliases = ("m", "a", "n", "p")
    columns = tuple(
        [field.attname for field in model._meta.concrete_fields] for model in MEMBERSHIP_TABLES
    )
    quote = connection.ops.quote_name
    fields = [
        (field, model, alias)
        for model, alias in zip(MEMBERSHIP_TABLES, aliases, strict=True)
        for field in model._meta.concrete_fields
    ]
    select = ", ".join(f"{alias}.{quote(field.column)}" for field, _, alias in fields)
    converters = []
    for index, (field, model, _) in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, field))
    sql = (
        f"SELECT {select} FROM {quote(Membership._meta.db_table)} m "  # nosec B608 (model names)
        f"JOIN {quote(Network._meta.db_table)} n ON n.id = m.network_id "
        f"JOIN {quote(Person._meta.db_table)} p ON p.id = n.person_id "
        f"LEFT JOIN {quote(Agency._meta.db_table)} a ON a.id = m.agency_id "
        "WHERE m.network_id = %(network)s AND m.user_id = %(user)s AND m.status = %(status)s "
        "ORDER BY m.id LIMIT 1"
    )
    return sql, columns, converters


def _membership_with_network(*, network_id: int, user_id: int) -> Membership | None:
    """The user's active membership of the network, its agency, network and person read
    with it; None when they are not a member."""
    sql, columns, converters = _membership_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"network": network_id, "user": user_id, "status": MembershipStatus.ACTIVE}
        )
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, functions, field in converters:
        for function in functions:
            values[index] = function(values[index], field, connection)
    parts: list[Any] = []
    start = 0
    for model, names in zip(MEMBERSHIP_TABLES, columns, strict=True):
        parts.append(model.from_db(DEFAULT_DB_ALIAS, names, values[start : start + len(names)]))
        start += len(names)
    membership, agency, network, person = parts
    Network.person.field.set_cached_value(network, person)
    Membership.network.field.set_cached_value(membership, network)
    Membership.agency.field.set_cached_value(
        membership, agency if membership.agency_id is not None else None
    )
    return membership


def network_viewers(*, network_id: int) -> dict[int, Viewer]:
    """Everyone with a standing in the network (active members and reviewing safeguarding
    leads) and that standing, by user id, in three queries however many."""
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            network_id=network_id, status=MembershipStatus.ACTIVE
        )
    }
    involved = involved_agency_ids_by_network([network_id])[network_id]
    staff: dict[int, list[tuple[int, str]]] = {}
    rows = StaffMembership.objects.filter(is_active=True).filter(
        Q(user_id__in=list(memberships))
        | Q(agency_id__in=involved, role=StaffRole.SAFEGUARDING_LEAD)
    )
    for user_id, agency_id, role in rows.values_list("user_id", "agency_id", "role"):
        staff.setdefault(user_id, []).append((agency_id, role))
    viewers = {}
    for user_id in set(memberships) | set(staff):
        found = _viewer_make(
            user_id=user_id,
            network_id=network_id,
            membership=memberships.get(user_id),
            staff=staff.get(user_id, []),
            involved=involved,
        )
        if found is not None:
            viewers[user_id] = found
    return viewers


def lead_viewer_for(*, user: AnyUser) -> Viewer | None:
    """The standing a safeguarding lead has in every network they review, for reads across
    networks (the dashboard): in each such network `viewer_for` makes them a reviewing lead
    and a professional of the agencies they work for. None for anyone else."""
    if not user.is_authenticated or user.pk is None:
        return None
    staff = staff_rows(user)
    lead_agency_ids = frozenset(a for a, role in staff if role == StaffRole.SAFEGUARDING_LEAD)
    if not lead_agency_ids:
        return None
    return Viewer(
        user_id=user.pk,
        network_id=0,
        membership=None,
        agency_ids=frozenset(a for a, _role in staff),
        reviewing_lead_agency_ids=lead_agency_ids,
    )


def reviewing_lead_ids(*, network: Network) -> set[int]:
    """Safeguarding leads of the agencies involved in a network."""
    return set(
        StaffMembership.objects.filter(
            role=StaffRole.SAFEGUARDING_LEAD,
            is_active=True,
            agency_id__in=involved_agency_ids_by_network([network.pk])[network.pk],
        ).values_list("user_id", flat=True)
    )


def users_who_may_see(
    *, network: Network, visibility: str, author_id: int | None, author_agency_id: int | None
) -> set[int]:
    """The ids of every user with a standing in the network who may see a record of this
    visibility: the same audiences as `visibility_filter`, turned round. Used to address
    notifications and invitations, so nobody is told of a record they could not open."""
    return viewers_who_may_see(
        network_viewers(network_id=network.pk),
        visibility=visibility,
        author_id=author_id,
        author_agency_id=author_agency_id,
    )


def viewers_who_may_see(
    viewers: Mapping[int, Viewer],
    *,
    visibility: str,
    author_id: int | None,
    author_agency_id: int | None,
) -> set[int]:
    """`users_who_may_see` over standings already read (`network_viewers`), so that one
    reading answers for several records."""
    audiences = record_audiences(
        visibility=visibility, author_id=author_id, author_agency_id=author_agency_id
    )
    return {user_id for user_id, viewer in viewers.items() if viewer.audiences & audiences}
