"""Who may see and do what. Every queryset and lookup that reaches a user passes through here.

A network is visible to its active members and to safeguarding leads of an agency involved
in it. Inside a network each shared record has a visibility:

- ``network``: every member, family too;
- ``professionals``: professional members and reviewing safeguarding leads;
- ``agency``: professionals of the author's agency (members or its safeguarding leads);
- ``restricted``: the author and reviewing safeguarding leads.

The rule from a visibility to its audience is written once, as audiences: a record is
addressed to a few audiences (`record_audiences`), a user in a network belongs to a few
(`Viewer.audiences`), and the user may see the record when the two meet. The database
filter (`visibility_filter`), the live stream's groups (`caregraph.realtime`) and the
addressing of notifications (`users_who_may_see`) are all derived from that one table.

What a user may not see is absent: lists leave it out and lookups raise the same 404 as for
something that does not exist, so that its existence does not leak.

The rules live in this package, one module a topic; import them from `caregraph.policy`.
"""

from caregraph.policy.audiences import (
    AUTHOR,
    AUTHOR_AGENCY,
    EVERYONE,
    LEADS,
    PROFESSIONALS,
    VISIBILITY_AUDIENCES,
    AnyUser,
    RecordModel,
    Viewer,
    addressed_audiences,
    agency_audience,
    network_events_visible_to,
    record_audiences,
    record_get_for_viewer,
    records_visible_to,
    user_audience,
    visibility_filter,
)
from caregraph.policy.audit import (
    AUDIT_OBJECT_RULES,
    AUDIT_WHOLE_RECORD_TYPES,
    HIDDEN_PERSON_LABEL,
    AuditObjectRule,
    audit_filter,
    audit_object_rule,
    audit_rows_visible_to,
    ids_as_text,
    people_hidden_from,
)
from caregraph.policy.messages import (
    THREAD_FOR_CHOSEN,
    THREAD_FOR_NETWORK,
    message_may_write,
    message_participants_choosable,
    message_thread_filter,
    message_thread_reader_ids,
)
from caregraph.policy.rules import (
    involvement_may_change,
    involvement_may_end,
    involvement_may_record_for,
    membership_filter,
    membership_may_change_visibility,
    membership_visibilities_allowed,
    work_contact_may_be_shown,
)
from caregraph.policy.standing import (
    MATCH_REVIEWER_ROLES,
    agency_staff_may_be_listed,
    involved_agency_ids_by_network,
    involvement_is_open,
    involvement_open_now,
    lead_viewer_for,
    network_get_for_user,
    network_viewers,
    networks_involving,
    networks_reviewed_by,
    networks_visible_to,
    reviewing_lead_ids,
    staff_memo_start,
    staff_rows,
    user_acting_agency,
    user_agency_list,
    user_is_agency_staff,
    user_is_safeguarding_lead,
    user_may_register_people,
    user_may_review_matches,
    users_who_may_see,
    viewer_for,
    viewers_for_user,
    viewers_who_may_see,
)
from caregraph.policy.two_factor import (
    TwoFactorShortfall,
    credential_two_factor_shortfall,
    session_two_factor_shortfall,
    user_has_authenticator,
    user_must_use_two_factor,
)
from caregraph.policy.wellbeing import (
    wellbeing_may_answer,
    wellbeing_may_post,
    wellbeing_update_may_change,
    wellbeing_visibilities_allowed,
    what_matters_may_keep,
    what_matters_on_behalf,
)

__all__ = [
    "AUDIT_OBJECT_RULES",
    "AUDIT_WHOLE_RECORD_TYPES",
    "AUTHOR",
    "AUTHOR_AGENCY",
    "EVERYONE",
    "HIDDEN_PERSON_LABEL",
    "LEADS",
    "MATCH_REVIEWER_ROLES",
    "PROFESSIONALS",
    "THREAD_FOR_CHOSEN",
    "THREAD_FOR_NETWORK",
    "VISIBILITY_AUDIENCES",
    "AnyUser",
    "AuditObjectRule",
    "RecordModel",
    "TwoFactorShortfall",
    "Viewer",
    "addressed_audiences",
    "agency_audience",
    "agency_staff_may_be_listed",
    "audit_filter",
    "audit_object_rule",
    "audit_rows_visible_to",
    "credential_two_factor_shortfall",
    "ids_as_text",
    "involved_agency_ids_by_network",
    "involvement_is_open",
    "involvement_may_change",
    "involvement_may_end",
    "involvement_may_record_for",
    "involvement_open_now",
    "lead_viewer_for",
    "membership_filter",
    "membership_may_change_visibility",
    "membership_visibilities_allowed",
    "message_may_write",
    "message_participants_choosable",
    "message_thread_filter",
    "message_thread_reader_ids",
    "network_events_visible_to",
    "network_get_for_user",
    "network_viewers",
    "networks_involving",
    "networks_reviewed_by",
    "networks_visible_to",
    "people_hidden_from",
    "record_audiences",
    "record_get_for_viewer",
    "records_visible_to",
    "reviewing_lead_ids",
    "session_two_factor_shortfall",
    "staff_memo_start",
    "staff_rows",
    "user_acting_agency",
    "user_agency_list",
    "user_audience",
    "user_has_authenticator",
    "user_is_agency_staff",
    "user_is_safeguarding_lead",
    "user_may_register_people",
    "user_may_review_matches",
    "user_must_use_two_factor",
    "users_who_may_see",
    "viewer_for",
    "viewers_for_user",
    "viewers_who_may_see",
    "visibility_filter",
    "wellbeing_may_answer",
    "wellbeing_may_post",
    "wellbeing_update_may_change",
    "wellbeing_visibilities_allowed",
    "what_matters_may_keep",
    "what_matters_on_behalf",
    "work_contact_may_be_shown",
]
