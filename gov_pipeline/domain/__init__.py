"""The vocabulary every stage shares: report identity (year, agency, date), the number grammar,
the official templates and their identities, fact keys, row records."""
