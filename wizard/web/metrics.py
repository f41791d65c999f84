"""/metrics for the operator's monitoring, in the Prometheus text format (prometheus_client).

Requests are counted by route (the URL rule, never the path: a path may carry a token)
and status, and timed, by hooks around every request. The rest is read from the database
at each scrape (wizard/operator/monitoring.py): queue depth, outbox backlog and its oldest
message, eligibility checks in flight, the insurer's error rate, and each alert as 0 or 1.

Under gunicorn each worker counts its own requests: set PROMETHEUS_MULTIPROC_DIR (an
empty directory, the same for all workers) and the scrape adds them up.
"""
import hmac
import os
import time

from flask import current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from wizard.operator.monitoring import Readings

EXTENSION = "sesame.metrics"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class RequestMetrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("sesame_http_requests", "Requests answered, by route and status",
                                ("route", "method", "status"), registry=self.registry)
        self.latency = Histogram("sesame_http_request_duration_seconds", "Time to answer, by route",
                                 ("route",), buckets=LATENCY_BUCKETS, registry=self.registry)


def init_app(app) -> None:
    app.extensions[EXTENSION] = RequestMetrics()
    app.before_request(_start)
    app.after_request(_observe)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        metrics = current_app.extensions[EXTENSION]
        # Labels from a fixed set only: a client making up paths or methods makes no new series.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        method = request.method if request.method in METHODS else "other"
        metrics.requests.labels(route, method, str(response.status_code)).inc()
        metrics.latency.labels(route).observe(time.perf_counter() - started)
    return response


def authorised(token: str | None) -> bool:
    """`Authorization: Bearer <METRICS_TOKEN>`, compared in constant time."""
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


class _Readings:
    """The database's readings, as gauges, for one scrape."""

    def __init__(self, readings: Readings):
        self.readings = readings

    def collect(self):
        r = self.readings
        yield _gauge("sesame_job_queue_depth", "Jobs waiting for a worker", r.queue_depth)
        backlog = GaugeMetricFamily("sesame_outbox_backlog", "Messages not yet delivered", labels=["channel"])
        oldest = GaugeMetricFamily("sesame_outbox_oldest_undelivered_seconds",
                                   "Age of the oldest message not yet delivered", labels=["channel"])
        for channel in ("email", "sms"):
            backlog.add_metric([channel], r.backlog.get(channel, 0))
            oldest.add_metric([channel], r.oldest.get(channel, 0))
        yield backlog
        yield oldest
        yield _gauge("sesame_eligibility_checks_in_flight", "Eligibility checks not finished", r.in_flight)
        calls = GaugeMetricFamily("sesame_insurer_calls_15m", "Calls to the insurer in the last 15 minutes",
                                  labels=["outcome"])
        for outcome in ("ok", "error", "timeout"):
            calls.add_metric([outcome], r.calls.get(outcome, 0))
        yield calls
        yield _gauge("sesame_insurer_error_rate_15m", "Share of insurer calls that failed, last 15 minutes",
                     r.insurer_error_rate)
        alerts = GaugeMetricFamily("sesame_alert", "1 while the console's alert is on", labels=["alert"])
        for name, active in r.active().items():
            alerts.add_metric([name], 1 if active else 0)
        yield alerts


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def exposition(readings: Readings) -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_Collected(current_app.extensions[EXTENSION].registry))
    registry.register(_Readings(readings))
    return generate_latest(registry)


class _Collected:
    """This process's own request metrics, inside the scrape's registry."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()
