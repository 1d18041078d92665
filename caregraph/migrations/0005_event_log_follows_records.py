"""Names the record each earlier event is about and gives it that record's audience, and
gives the words added under concerns the concern's visibility (see ConcernUpdate)."""

from django.db import migrations

# Payload key of the record's id, by event kind prefix.
RECORDS = {
    "concern.": ("concern", "concern_id", "concerns", "Concern", "created_by_id"),
    "involvement.": ("involvement", "involvement_id", "agencies", "Involvement", "created_by_id"),
    "member.": ("membership", "membership_id", "caregraph", "Membership", "user_id"),
}
CALENDAR = {
    "calendar_event": ("event_id", "CalendarEvent"),
    "care_task": ("task_id", "CareTask"),
}


def _audience(record, author_field):
    agency = getattr(record, "author_agency_id", None)
    if author_field == "user_id":
        agency = record.agency_id
    return {
        "visibility": record.visibility,
        "created_by_id": getattr(record, author_field),
        "author_agency_id": agency,
    }


def forwards(apps, schema_editor):
    NetworkEvent = apps.get_model("caregraph", "NetworkEvent")
    for event in NetworkEvent.objects.filter(record_type="").iterator():
        payload = event.payload or {}
        found = None
        for prefix, (record_type, key, app, model, author_field) in RECORDS.items():
            if event.kind.startswith(prefix) and key in payload:
                found = (record_type, payload[key], app, model, author_field)
        if event.kind.startswith("event.") and payload.get("object") in CALENDAR:
            key, model = CALENDAR[payload["object"]]
            found = (payload["object"], payload.get(key), "calendars", model, "created_by_id")
        if found is None or found[1] is None:
            continue
        record_type, record_id, app, model, author_field = found
        record = apps.get_model(app, model).objects.filter(pk=record_id).first()
        changes = {"record_type": record_type, "record_id": record_id}
        if record is not None:
            changes.update(_audience(record, author_field))
        NetworkEvent.objects.filter(pk=event.pk).update(**changes)

    ConcernUpdate = apps.get_model("concerns", "ConcernUpdate")
    for update in ConcernUpdate.objects.exclude(text="").select_related("concern").iterator():
        ConcernUpdate.objects.filter(pk=update.pk).update(
            visibility=update.concern.visibility,
            author_agency_id=update.concern.author_agency_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("caregraph", "0004_visibility_of_memberships_and_history"),
        ("concerns", "0002_visibility_of_memberships_and_history"),
        ("calendars", "0001_initial"),
        ("agencies", "0003_involvement_network"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
