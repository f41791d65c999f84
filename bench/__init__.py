"""Sésame's benchmark: `./dev bench` runs bench/run.py. See BENCHMARKS.md."""
