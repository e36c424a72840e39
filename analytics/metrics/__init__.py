"""The metrics: pure functions over the tidy tables (one noun per module), no I/O."""
