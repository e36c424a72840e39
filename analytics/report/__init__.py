"""The headless report: computed once, rendered as text, JSON, CSV and Lex test sets."""
