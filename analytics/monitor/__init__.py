"""Monitoring a live bot: threshold rules over the report's metrics (``rules``, ``values``),
CloudWatch custom metrics planned per period (``periods``, ``ledger``) and example alarms
(``alarms``)."""
