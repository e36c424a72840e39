"""Text rules every layer shares: control characters made visible, formula-safe CSV."""
