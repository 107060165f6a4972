"""Benchmarks of the generated project; run them with `python benchmarks/run.py`."""
