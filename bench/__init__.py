"""Benchmarks of the real `bookhub serve` process on PostgreSQL: `make bench` runs bench/run.py."""
