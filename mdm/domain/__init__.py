"""Domain services: the rules use cases share (golden-record state and survivorship in a
unit of work, candidate lookup, the ingest steps, merges, tasks, principals), working
through repositories and never committing."""
