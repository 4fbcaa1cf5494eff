"""Benchmarks run by hand or by `make bench-*`; not imported by the running assistant."""
