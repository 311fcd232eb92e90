package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus metrics of one Server, in its own registry
// (so that several Servers can live in one process), served at /metrics.
type metrics struct {
	registry        *prometheus.Registry
	connections     prometheus.Gauge
	opsCommitted    prometheus.Counter
	submitSeconds   prometheus.Histogram
	slowDisconnects prometheus.Counter
	// throttledSeconds adds up how long connections over their byte rate
	// were not read from.
	throttledSeconds prometheus.Counter
	errors           *prometheus.CounterVec
}

// newMetrics makes the metrics of a server of the given version
// (confpad_build_info{version}).
func newMetrics(version string) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "confpad_websocket_connections",
			Help: "Open websocket connections.",
		}),
		opsCommitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "confpad_ops_committed_total",
			Help: "Ops submitted through this replica and committed (resends not counted).",
		}),
		submitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "confpad_submit_seconds",
			Help:    "Time from receiving an op to its durable commit (or its error).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 15), // 100µs .. 1.6s
		}),
		slowDisconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "confpad_slow_client_disconnects_total",
			Help: "Websocket connections closed because they could not keep up.",
		}),
		throttledSeconds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "confpad_websocket_throttled_seconds_total",
			Help: "Time websocket connections over their byte rate (--conn-rate) waited to be read.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confpad_errors_total",
			Help: "Errors reported to clients, by code (websocket error messages and HTTP API errors).",
		}, []string{"code"}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "confpad_build_info",
		Help:        "Always 1; its version label is the running confpad's version.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	m.registry.MustRegister(buildInfo, m.connections, m.opsCommitted, m.submitSeconds, m.slowDisconnects, m.throttledSeconds, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
