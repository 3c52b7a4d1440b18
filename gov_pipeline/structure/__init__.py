"""Stage 3, sections and tables: the report's headings and its statistical tables as cells."""
