"""On PostgreSQL: a GIN index on each searched kind's tsvector (the very expression
``search.selectors.records.search_vector`` builds, so the planner uses it; a test checks
it does), and a trigger refusing UPDATE and DELETE on the log of searches for a person.
SQLite (the embedded default) searches with ``icontains`` and gets neither."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# (app, model, fields, index name): the same fields as search.selectors.records.KINDS.
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


def _index(fields, name):
    return GinIndex(SearchVector(*fields, config="english"), name=name)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model, fields, name in INDEXES:
        schema_editor.add_index(apps.get_model(app, model), _index(fields, name))
    schema_editor.execute(APPEND_ONLY)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_APPEND_ONLY)
    for app, model, fields, name in INDEXES:
        schema_editor.remove_index(apps.get_model(app, model), _index(fields, name))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_person_lookups"),
        ("reviews", "0025_document_text"),
        ("actionplans", "0002_document_text"),
    ]
    operations = [migrations.RunPython(create, drop)]
