"""lexlens: analytics for Amazon Lex V2 conversation logs.

One import root for the whole distribution: ``lexlens.analytics`` (the core, its sources, the
writer, the CLI), ``lexlens.dashboard`` (the Streamlit app) and ``lexlens.sample_logs`` (the
bundled logs). The repository keeps those folders at its top level; ``pyproject.toml`` maps
them under ``lexlens`` (``package-dir``), so nothing generic such as ``analytics`` lands in
site-packages.
"""
from importlib.metadata import version

__version__ = version("lexlens")
