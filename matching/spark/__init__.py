"""The batch engine on Apache Spark: ``mdm dedupe --engine spark``.

The same model as :mod:`matching.batch`, not a port of it: Spark moves and joins the
tables (records, candidate pairs, comparison vectors, counts) and runs the local
engine's numpy and rapidfuzz kernels on Arrow batches (:mod:`.kernels`). Importing this
package imports nothing; its modules import PySpark (the ``spark`` extra), and only
``mdm dedupe --engine spark`` loads them.
"""
