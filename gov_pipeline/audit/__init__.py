"""The audit: a static HTML site over the warehouse (a page per report, an index) where every number
is shown where it stands and every finding points at its cells and sentences, and the reviewer
decisions that confirm or dismiss findings (decisions.csv next to the warehouse)."""
