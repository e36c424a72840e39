"""lexlens analytics: the pure core over one tidy table of Lex V2 turns.

The core modules (schema, loading, metrics) import neither streamlit nor boto3;
only ``lexlens.analytics.sources.cloudwatch`` and ``lexlens.analytics.writer`` touch AWS.
"""
