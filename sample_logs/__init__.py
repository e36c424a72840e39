"""Bundled sample logs: a hand-written variants file, the demo dataset and a generative-era one (package data of
``lexlens.sample_logs``, found with ``importlib.resources``)."""
from importlib.resources import files
from pathlib import Path

# A regular install or a checkout keeps package data as files on disk, where the loader reads them.
SAMPLE_DIR = Path(str(files(__name__)))
DEMO_LOG = SAMPLE_DIR / "demo.jsonl.gz"
GENERATIVE_LOG = SAMPLE_DIR / "generative.jsonl.gz"  # the demo's bots plus HelpDeskBot (generative era)
VARIANTS_LOG = SAMPLE_DIR / "variants.jsonl"
REAL_RECORDS_LOG = SAMPLE_DIR / "real-lex-records.jsonl"
