"""The review's timeline (reviews.models.history.TimelineRow), and its rows for every
history row written before it: one INSERT … SELECT per history table of the review and its
records (the tables as they are at this migration; a table not there yet is skipped)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _path_column(model, path, alias, joins, qn):
    """The SQL of the id at the end of ``path`` (``review``, ``request__agency``) of a
    history row of ``model`` (aliased ``alias``), adding the joins a path of more than one
    step needs (to the live tables: the steps are foreign keys that never change)."""
    steps = path.split("__")
    current, table = model, alias
    for i, step in enumerate(steps):
        field = current._meta.get_field(step)
        if i == len(steps) - 1:
            return f"{table}.{qn(field.column)}"
        target = field.related_model
        joined = f"t{len(joins)}"
        joins.append(f"LEFT JOIN {qn(target._meta.db_table)} {joined} ON {joined}."
                     f"{qn(target._meta.pk.column)} = {table}.{qn(field.column)}")
        current, table = target, joined
    raise ValueError(path)


def backfill(apps, schema_editor):
    # The live models: which of them are a review's records, their REVIEW_FIELD and
    # HISTORY_AGENCY_FIELD, are Python, not schema. Only columns that never change are read.
    from django.apps import apps as live

    from reviews.models.base import ReviewRecord

    connection = schema_editor.connection
    qn = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    timeline = qn(apps.get_model("reviews", "TimelineRow")._meta.db_table)
    models = [live.get_model("reviews", "Review")] + sorted(
        (m for m in live.get_models() if issubclass(m, ReviewRecord)),
        key=lambda m: m._meta.label)
    with connection.cursor() as cursor:
        for model in models:
            history = model.history.model
            if history._meta.db_table not in tables:
                continue
            joins = []
            review = (f"h.{qn('id')}" if model._meta.label == "reviews.Review" else
                      _path_column(model, getattr(model, "REVIEW_FIELD", "review"), "h",
                                   joins, qn))
            agency_path = getattr(model, "HISTORY_AGENCY_FIELD", None)
            agency = _path_column(model, agency_path, "h", joins, qn) if agency_path else "NULL"
            user = (f"h.{qn('history_user_id')}" if any(
                f.attname == "history_user_id" for f in history._meta.concrete_fields)
                else "NULL")
            cursor.execute(
                f"INSERT INTO {timeline} (review_id, history_date, kind, history_id, record_id,"
                f" history_user_id, agency_id) SELECT {review}, h.{qn('history_date')}, %s,"
                f" h.{qn('history_id')}, h.{qn(model._meta.pk.column)}, {user}, {agency}"
                f" FROM {qn(history._meta.db_table)} h {' '.join(joins)}"
                f" WHERE {review} IS NOT NULL ORDER BY h.{qn('history_date')},"
                f" h.{qn('history_id')} ON CONFLICT DO NOTHING",
                [model._meta.label_lower])
        if connection.vendor == "postgresql":
            # The page's plan needs the table's statistics (an index walk newest first, not
            # a bitmap of the whole review and a sort); autovacuum would take its time.
            cursor.execute(f"ANALYZE {timeline}")


class Migration(migrations.Migration):

    dependencies = [
        ('actionplans', '0001_action_plans_and_reminders'),
        ('reviews', '0022_dismissed_name_reopen'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TimelineRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('history_date', models.DateTimeField()),
                ('kind', models.CharField(help_text='The tracked model, app.model.', max_length=100)),
                ('history_id', models.IntegerField(help_text="The row of the kind's history table.")),
                ('record_id', models.IntegerField()),
                ('history_user', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('review', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reviews.review')),
                ('agency', models.ForeignKey(blank=True, db_index=False, help_text='The agency the record belongs to, if it never moves (ReviewRecord.HISTORY_AGENCY_FIELD).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
            ],
            options={
                'indexes': [models.Index(fields=['review', '-history_date', '-id'], name='timeline_review'), models.Index(fields=['review', 'kind', '-history_date', '-id'], name='timeline_review_kind'), models.Index(fields=['review', 'history_user', '-history_date', '-id'], name='timeline_review_person'), models.Index(fields=['review', 'agency', '-history_date', '-id'], name='timeline_review_agency')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'history_id'), name='timeline_one_row_per_version')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
