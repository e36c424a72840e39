"""PII masking (--redact): of the tidy tables, and of raw records written back out."""

DEFAULT_MIN_DIGITS = 6  # --redact-digits: runs of this many digits or more are masked
