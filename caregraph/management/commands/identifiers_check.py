"""Lists stored identifiers that break the current rules, for a person to review.

    python manage.py identifiers_check

Prints one line for each: the identifier's row id, its system, the person it belongs to,
the value masked to its last 2 characters, and what is wrong. Changes nothing. Exits with
status 0 when every identifier keeps the rules and 1 when some do not, so that it can run
in CI or from cron.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caregraph.identifiers import IdentifierRow, identifiers_review
from caregraph.models import Identifier


class Command(BaseCommand):
    help = "Lists stored identifiers that break the current rules (exit status 1 if any)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = (
            IdentifierRow(
                id=row_id, system=system, agency_id=agency_id, person_id=person_id, value=value
            )
            for row_id, system, agency_id, person_id, value in Identifier.objects.order_by("pk")
            .values_list("pk", "system", "agency_id", "person_id", "value")
            .iterator(chunk_size=2000)
        )
        reviews = identifiers_review(rows)
        if not reviews:
            self.stdout.write("Every stored identifier keeps the current rules.")
            return
        for review in reviews:
            row = review.row
            self.stdout.write(
                f"identifier {row.id}  {row.system}  person {row.person_id}  "
                f"{review.masked_value}  {review.problem}"
            )
        raise CommandError(
            f"{len(reviews)} stored identifier(s) break the current rules: review each above",
            returncode=1,
        )
