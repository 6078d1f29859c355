"""On PostgreSQL, refuse UPDATE and DELETE on the access log at the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION scr_accessevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'scr_accessevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER scr_accessevent_no_update_delete
  BEFORE UPDATE OR DELETE ON scr_accessevent
  FOR EACH ROW EXECUTE FUNCTION scr_accessevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS scr_accessevent_no_update_delete ON scr_accessevent;
DROP FUNCTION IF EXISTS scr_accessevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scr", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
