"""``lexlens publish --create-alarms``: example CloudWatch alarms on the published metrics, per
namespace, as PutMetricAlarm requests (planned here, sent by the CLI).

- *missed-utterance rate*: metric math ``100 * MissedUtterance / CountMessages`` above 20% in 3
  periods running (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_alarm_on_metric_math_expression.html);
- *traffic drop*: no CountMessages for an hour; missing data counts as breaching, so the alarm
  also fires when publishing itself stops;
- *traffic anomaly*: CountMessages outside ``ANOMALY_DETECTION_BAND(m1, 2)`` in 3 periods
  running; creating the alarm makes CloudWatch train the anomaly detection model on the metric
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Anomaly_Detection_Alarm.html).
"""
from __future__ import annotations

from lexlens.analytics.monitor.periods import MESSAGES, MISSED

MISSED_RATE_PERCENT = 20
TRAFFIC_DROP_S = 3_600


def metric_stat(query_id: str, namespace: str, metric: str, period_s: int) -> dict:
    return {"Id": query_id, "ReturnData": False,
            "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": metric}, "Period": period_s,
                           "Stat": "Sum"}}


def plan_alarms(namespaces: list[str], period_s: int, actions: list[str]) -> list[dict]:
    """The PutMetricAlarm requests of the three example alarms of each namespace."""
    requests = []
    for namespace in namespaces:
        common = {"AlarmActions": list(actions), "ActionsEnabled": bool(actions)}
        requests.append({
            **common, "AlarmName": f"lexlens {namespace} missed-utterance rate",
            "AlarmDescription": f"More than {MISSED_RATE_PERCENT}% of utterances missed in 3 periods running "
                                "(published by lexlens).",
            "Metrics": [metric_stat("missed", namespace, MISSED, period_s),
                        metric_stat("messages", namespace, MESSAGES, period_s),
                        {"Id": "rate", "Expression": "100 * missed / messages", "Label": "Missed utterances (%)",
                         "ReturnData": True}],
            "ComparisonOperator": "GreaterThanThreshold", "Threshold": float(MISSED_RATE_PERCENT),
            "EvaluationPeriods": 3, "DatapointsToAlarm": 3, "TreatMissingData": "notBreaching"})
        requests.append({
            **common, "AlarmName": f"lexlens {namespace} traffic drop",
            "AlarmDescription": "No utterance for an hour, or no data published (published by lexlens).",
            "Namespace": namespace, "MetricName": MESSAGES, "Statistic": "Sum", "Period": period_s,
            "EvaluationPeriods": max(1, TRAFFIC_DROP_S // period_s), "Threshold": 1.0,
            "ComparisonOperator": "LessThanThreshold", "TreatMissingData": "breaching"})
        requests.append({
            **common, "AlarmName": f"lexlens {namespace} traffic anomaly",
            "AlarmDescription": "Utterances outside the band CloudWatch's anomaly detection expects "
                                "(published by lexlens).",
            "Metrics": [{**metric_stat("m1", namespace, MESSAGES, period_s), "ReturnData": True},
                        {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "Label": "Expected utterances",
                         "ReturnData": True}],
            "ThresholdMetricId": "ad1", "ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold",
            "EvaluationPeriods": 3, "DatapointsToAlarm": 3, "TreatMissingData": "notBreaching"})
    return requests


def describe_alarm(request: dict) -> str:
    """One line saying what an alarm watches."""
    return f"{request['AlarmName']}: {request['AlarmDescription']}"
