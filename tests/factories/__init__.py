"""Test-only data generators (also used by the benchmarks in ``bench/``)."""
