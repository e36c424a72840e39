"""lexlens analytics: the pure core over one tidy table of Lex V2 turns.

The core modules (schema, loading, metrics) import neither streamlit nor boto3;
only ``analytics.sources.cloudwatch`` and ``analytics.writer`` touch AWS.
"""
__version__ = "0.1.0"
