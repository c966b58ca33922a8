"""Schema compatibility for the registry: JSON Schema 2020-12 diff rules, modes, upcasting.

Pure: no database, web or HTTP. The registry (in ``mdm``) stores versions per subject
and asks :func:`check` before it registers a new one::

    refused = check([v1, v2], proposed, Mode.BACKWARD_TRANSITIVE)
    if refused:  # 409 naming refused[0].rule and refused[0].pointer
        ...

:func:`diff` lists every change with the directions it breaks (for ``mdm schema check``
to print), :func:`default_mode` gives a subject kind's default (``entity`` ->
``BACKWARD_TRANSITIVE``, ``event`` -> ``FORWARD_TRANSITIVE``; the reasons are in
:mod:`canonical.compatibility.modes`), and :func:`upcast` reads a stored payload as the
newest version sees it.

Where this differs from Confluent Schema Registry's JSON Schema rules, and why:

* adding a required property is refused backward even with a ``default``: JSON Schema
  validators do not fill defaults, and a source still on the earlier version keeps
  sending records without it (Confluent accepts it);
* ``oneOf`` changes break both ways: a widened branch can make a value match two
  branches, which ``oneOf`` refuses (Confluent treats ``oneOf`` like ``anyOf``);
* ``format`` is compared, because the hub asserts formats (Confluent ignores it);
* ``if``/``then``/``else`` is compared (``then``/``else`` when the ``if`` is unchanged);
* a side that lists its values (``enum``/``const``) is compared exactly, by validating
  each value against the other side, so ``{"enum": ["a"]}`` -> ``{"type": "string"}``
  only breaks forward;
* keywords it does not reason about (``not``, ``contains``, ``propertyNames``,
  ``unevaluatedProperties``, ... and non-2020-12 keywords) break both ways, named in the
  change, instead of being ignored.
"""

from canonical.compatibility.changes import RULES, Change, Incompatibility
from canonical.compatibility.check import check, is_compatible
from canonical.compatibility.diff import diff
from canonical.compatibility.modes import (
    DEFAULT_MODES,
    Direction,
    Mode,
    SubjectKind,
    default_mode,
)
from canonical.compatibility.upcast import upcast, upcast_between

__all__ = [
    "DEFAULT_MODES",
    "RULES",
    "Change",
    "Direction",
    "Incompatibility",
    "Mode",
    "SubjectKind",
    "check",
    "default_mode",
    "diff",
    "is_compatible",
    "upcast",
    "upcast_between",
]
