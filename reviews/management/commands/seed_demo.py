from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_people
from agencies.services.account import demo_logins_enabled


class Command(BaseCommand):
    help = "Create the demo partnership, agencies, people and reviews (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_logins_enabled():
            raise CommandError("Demo data is only for DEBUG or DEMO_MODE: its passwords are public.")
        # Each service is its own (durable) transaction, so the demo data is seeded outside
        # one: people and agencies already there are left as they are, and a review already
        # built is recognised by its creation token.
        seed_people()
        from reviews.demo import seed_reviews

        seed_reviews()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins (password "
                                             f"'{DEMO_PASSWORD}' for all):"))
        for person in DEMO_PEOPLE:
            where = f" – {person.agency}" if person.agency else ""
            self.stdout.write(f"  {person.username:<10} {person.role}{where}")
