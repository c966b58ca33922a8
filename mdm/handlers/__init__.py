"""Handlers: one module per use case, each with one entry point ``handle(command, uow,
...)``. The composition root (:mod:`mdm.bootstrap`) maps each command type to its
handler with the dependencies it needs; the message bus runs it in one unit of
work. Handlers never commit and write no SQL of their own."""
