"""Benchmarks: chat-turn latency and throughput of Steer next to a plain Rasa bot (see README.md)."""
