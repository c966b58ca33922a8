"""Queries: the read use cases (golden records, history, hierarchy, the task queue,
find-matches, operator views). They read through repositories and read models in
a read-only unit of work and return plain, JSON-ready dicts."""
