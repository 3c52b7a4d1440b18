"""The DuckDB warehouse: table schemas, writes, the single-writer lock, the Dagster resource."""
