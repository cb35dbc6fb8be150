"""Benchmarks for ecert-wallet: each figure measured beside its reference in the same run.

``python -m benchmarks`` runs everything (bounded in time), prints a table and writes
``benchmarks/results/latest.json``; ``--quick`` shortens every run; names select a subset.
"""
