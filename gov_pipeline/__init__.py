"""gov_pipeline: Chinese government information-disclosure annual reports -> a quality-gated DuckDB warehouse."""
