"""PII masking (--redact): of the tidy tables, and of raw records written back out."""
