"""The page benchmark behind ``bench/pages.py``, split by concern.

``config`` (paths, sizes, cases), ``databases`` (the PostgreSQL server, Django on a
throwaway database), ``portfolio`` (the generated data and the URLs of each case),
``cases`` (timed requests, query counts, export memory), ``floors`` (the SQL floor
and query plans), ``runs`` (the worker process of each size), ``report`` and
``targets`` (docs/benchmarks.md and docs/benchmarks.json).
"""
