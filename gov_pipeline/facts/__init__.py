"""Stage 4, facts: every number with its evidence and method, from the tables and the prose."""
