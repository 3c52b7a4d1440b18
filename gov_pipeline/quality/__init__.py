"""Stage 5, data-quality checks: the rules, the gate, Great Expectations, near-duplicates."""
