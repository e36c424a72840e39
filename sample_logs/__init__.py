"""Bundled sample logs: a hand-written variants file and the demo dataset."""
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
DEMO_LOG = SAMPLE_DIR / "demo.jsonl.gz"
VARIANTS_LOG = SAMPLE_DIR / "variants.jsonl"
REAL_RECORDS_LOG = SAMPLE_DIR / "real-lex-records.jsonl"
