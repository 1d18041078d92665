"""The REST API of the shared calendar: events and their occurrences, who is coming
(`events`), and the tasks people sign up for (`tasks`); what they read and write is in
`serializers`. Views are thin: the policy finds what the user may see, services make
changes, and reads of a person's calendar are audited.

Times are ISO 8601. One with an offset is that instant; one without is local time in the
event's zone (Europe/London), and a local time inside the hour the clocks skip in spring is
refused beside its field. All-day events take dates (`2026-11-02`) and run from `start` to
`end`, both included; they are answered with local midnights, `end` the midnight after the
last day (as in iCalendar), which may be sent back unchanged.
"""
