"""The Celery application.

JSON only (tasks take ids, never pickled objects), hard and soft time limits, and
a ``pdf`` queue beside the default one so a slow render never delays reminders.
``acks_late`` is switched on per task, only for tasks that are idempotent.
With no ``CELERY_BROKER_URL`` the settings make every task run eagerly in-process.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")

app = Celery("scr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_accept_content=["json"],
    task_soft_time_limit=120,
    task_time_limit=180,
    task_default_queue="default",
    task_queues=(Queue("default"), Queue("pdf")),
    task_routes={"reviews.tasks.render_*": {"queue": "pdf"},
                 "scr.tasks.render_pdf": {"queue": "pdf"}},
    result_expires=3600,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    # The broker lost mid-task: the task runs to its end and its acknowledgement is lost, so
    # Redis redelivers it once the broker is back; every acks_late task is idempotent (render
    # records, the ledger), so the redelivery does nothing. Cancelling instead (Celery 6's
    # default) would throw away a render half done. tests/test_faults.py.
    worker_cancel_long_running_tasks_on_connection_loss=False,
    timezone="Europe/London",
)
app.autodiscover_tasks()


@worker_ready.connect
def _relay_outbox_at_start(**_kwargs: Any) -> None:
    """A worker that starts sends what the outbox kept while no worker or broker was up."""
    app.send_task("scr.tasks.relay_outbox")
