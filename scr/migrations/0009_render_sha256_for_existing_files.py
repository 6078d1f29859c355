"""Every stored file is served only if it matches its recorded SHA-256 (scr.documents): a
finished render stored before its digest was always recorded gets it now, computed from the
file as stored (read in blocks through the storage API). A render whose file cannot be read
keeps an empty digest, and its download is refused (and logged) until it is made again."""

import hashlib

from django.db import migrations


def record_missing_digests(apps, schema_editor):
    RenderRecord = apps.get_model("scr", "RenderRecord")
    missing = RenderRecord.objects.filter(sha256="").exclude(file="")
    for record in missing.iterator():
        digest = hashlib.sha256()
        try:
            with record.file.open("rb") as stored:
                for chunk in stored.chunks():
                    digest.update(chunk)
        except Exception:  # missing on disk or in the bucket: left empty, refused when asked
            continue
        RenderRecord.objects.filter(pk=record.pk).update(sha256=digest.hexdigest())


class Migration(migrations.Migration):

    dependencies = [("scr", "0008_operations_heartbeat_task_failures_integrity")]

    operations = [migrations.RunPython(record_missing_digests, migrations.RunPython.noop)]
