"""Seeded, realistic Lex V2 traffic for demos and benchmarks (``lexlens sample``)."""
