"""The page benchmark behind ``bench/pages.py``, split by concern.

``config`` (paths, sizes, cases, arguments), ``databases`` (throwaway databases),
``portfolio`` (the generated data and the URLs of each case), ``cases`` (timed
requests and counts), ``floors`` (the SQL floor and query plans), ``runs`` (the
worker process of each size), ``report`` and ``targets`` (docs/benchmarks.md).
"""
