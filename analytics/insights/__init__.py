"""The Logs Insights engine: partial aggregates computed by CloudWatch Logs Insights where the logs
live (``engine.insights_partials``), finished by ``analytics.metrics.finalize`` like the local
engine's. See docs/insights-engine.md."""
