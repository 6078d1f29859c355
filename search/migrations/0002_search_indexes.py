"""On PostgreSQL: a stored, generated ``tsvector`` column ``search_document`` on each searched
kind's table (the words of the fields ``search.selectors.records.KINDS`` names, kept fresh
by the database itself on every insert and update, whatever writes the row) with a GIN index,
and a trigger refusing UPDATE and DELETE on the log of searches for a person. The column is
not a model field: only the search reads it. SQLite (the embedded default) searches with
``icontains`` and gets none of these.

Adding a stored generated column rewrites the table once (a few seconds per million
chronology entries)."""

from django.db import migrations

COLUMN = "search_document"

# (app, model, fields, index name): the same fields as search.selectors.records.KINDS
# (a test checks they agree).
INDEXES = [
    ("reviews", "Review", ("what_happened", "decision_reasons", "national_panel_reply"),
     "search_review_fts"),
    ("reviews", "Finding", ("title", "statement", "why_it_matters"), "search_finding_fts"),
    ("reviews", "Recommendation", ("text", "outcome_expected"), "search_recommendation_fts"),
    ("actionplans", "Action", ("action_text", "success_measure", "agency_response", "outcome"),
     "search_action_fts"),
    ("reviews", "ChronologyEntry", ("what_happened", "source", "practitioner_role"),
     "search_chronology_fts"),
    ("reviews", "Meeting", ("agenda", "notes"), "search_meeting_fts"),
    ("reviews", "EvidenceDocument", ("original_filename", "text"), "search_evidence_doc_fts"),
    ("reviews", "MeetingMinutes", ("original_filename", "text"), "search_minutes_fts"),
    ("actionplans", "ImpactEvidence", ("title", "original_filename", "text"),
     "search_impact_fts"),
]

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION search_personlookup_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'search_personlookup is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER search_personlookup_no_update_delete
  BEFORE UPDATE OR DELETE ON search_personlookup
  FOR EACH ROW EXECUTE FUNCTION search_personlookup_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS search_personlookup_no_update_delete ON search_personlookup;
DROP FUNCTION IF EXISTS search_personlookup_append_only();
"""


def _vector(model, fields):
    columns = " || ' ' || ".join(
        f"""COALESCE("{model._meta.get_field(f).column}", '')""" for f in fields)
    return f"to_tsvector('english'::regconfig, {columns})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, name, fields, index in INDEXES:
        model = apps.get_model(app, name)
        table = model._meta.db_table
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN "{COLUMN}" tsvector '
            f"GENERATED ALWAYS AS ({_vector(model, fields)}) STORED")
        schema_editor.execute(f'CREATE INDEX "{index}" ON "{table}" USING gin ("{COLUMN}")')
    schema_editor.execute(APPEND_ONLY)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_APPEND_ONLY)
    for app, name, _fields, _index in INDEXES:
        table = apps.get_model(app, name)._meta.db_table
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN "{COLUMN}"')


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_person_lookups"),
        ("reviews", "0025_document_text"),
        ("actionplans", "0002_document_text"),
    ]
    operations = [migrations.RunPython(create, drop)]
