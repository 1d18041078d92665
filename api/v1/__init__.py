"""Version 1 of the REST API: one module per resource, their paths in `api.urls`.

`people`, `networks` and `members` (members, invitations, requests to join) are the care
graph; `concerns`, `events` and `tasks` the apps built on it; `agencies` the directory of
agencies and their staff. What they read and write is in `serializers`. Views are thin:
the endpoint bases in `api.views` find the network and the viewer through the access
policy before a handler runs, services make changes, and every read of a person's record
is written to their audit trail.

Times are ISO 8601. One with an offset is that instant; one without is local time in the
event's zone (Europe/London), and a local time inside the hour the clocks skip in spring is
refused beside its field. All-day events take dates (`2026-11-02`) and run from `start` to
`end`, both included; they are answered with local midnights, `end` the midnight after the
last day (as in iCalendar), which may be sent back unchanged.
"""
