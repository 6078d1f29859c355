"""File and text formats of the reviews app, pure (no database, no request): the chronology's
CSV/XLSX files, the report's Markdown and its HTML for the PDF, and word-level diffs of
two texts. Callers import the module they need (``from reviews.formats.chronology import
parse_row``)."""
