// hello-go: the sample service Gantry ships in its demo and tests on the testbed's real node.
// Standard library only, so it builds offline. Liveness on /healthz, readiness on /ready
// (false while starting and while draining), Prometheus text metrics on /metrics, JSON logs
// on stdout, configuration from the environment (a ConfigMap) and a Secret; every response
// names the version that served it.
//
// Broken versions for tests and the demo come from the environment (or the Dockerfile's
// build args of the same names), never from a code change:
//
//	FAIL_MODE=crash        exits at start, after logging why (CrashLoopBackOff)
//	FAIL_MODE=never-ready  serves, but /ready never succeeds
//	FAIL_PERCENT=N         answers N % of requests with 500
//	RESPONSE_DELAY=250ms   waits that long before each answer
//	STARTUP_DELAY=2s       not ready until then (a slow start)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	Port     string
	Greeting string
	// APIKey comes from a Secret; it is only ever reported as set or not.
	APIKey        string
	Version       string
	FailMode      string
	FailPercent   int
	ResponseDelay time.Duration
	StartupDelay  time.Duration
	// DrainDelay: after SIGTERM, how long /ready fails before the listener closes, so the
	// Service stops sending new requests before any is refused.
	DrainDelay time.Duration
}

func loadConfig() (config, error) {
	cfg := config{
		Port:     envOr("PORT", "8080"),
		Greeting: envOr("GREETING", "hello"),
		APIKey:   os.Getenv("API_KEY"),
		Version:  envOr("APP_VERSION", "dev"),
		FailMode: os.Getenv("FAIL_MODE"),
	}
	var err error
	if cfg.FailPercent, err = strconv.Atoi(envOr("FAIL_PERCENT", "0")); err != nil ||
		cfg.FailPercent < 0 || cfg.FailPercent > 100 {
		return cfg, fmt.Errorf("FAIL_PERCENT=%q: want a whole number from 0 to 100", os.Getenv("FAIL_PERCENT"))
	}
	durations := []struct {
		name   string
		into   *time.Duration
		preset string
	}{
		{"RESPONSE_DELAY", &cfg.ResponseDelay, "0s"},
		{"STARTUP_DELAY", &cfg.StartupDelay, "0s"},
		{"DRAIN_DELAY", &cfg.DrainDelay, "3s"},
	}
	for _, d := range durations {
		if *d.into, err = time.ParseDuration(envOr(d.name, d.preset)); err != nil || *d.into < 0 {
			return cfg, fmt.Errorf("%s=%q: want a duration such as 250ms or 2s", d.name, os.Getenv(d.name))
		}
	}
	switch cfg.FailMode {
	case "", "crash", "never-ready":
	default:
		return cfg, fmt.Errorf("FAIL_MODE=%q: want crash, never-ready or nothing", cfg.FailMode)
	}
	return cfg, nil
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// logJSON writes one structured log line, the shape log collectors parse without config.
func logJSON(level, msg string, fields map[string]any) {
	entry := map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "msg": msg}
	for k, v := range fields {
		entry[k] = v
	}
	line, _ := json.Marshal(entry)
	fmt.Println(string(line))
}

// Upper bounds (seconds) of the request duration histogram.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// metrics: request counts by status code and a duration histogram, for the hello handler.
type metrics struct {
	mu       sync.Mutex
	byCode   map[int]int64
	buckets  []int64 // cumulative counts are computed when written
	count    int64
	sumTotal float64
}

func newMetrics() *metrics {
	// The codes the handler answers with are exported at 0 from the start: Prometheus's rate()
	// cannot see the increase that creates a series, so a pod's first 500 would otherwise go
	// uncounted, and a canary failing a few percent of a few dozen requests could read as clean.
	return &metrics{
		byCode:  map[int]int64{http.StatusOK: 0, http.StatusInternalServerError: 0},
		buckets: make([]int64, len(durationBuckets)),
	}
}

func (m *metrics) observe(code int, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byCode[code]++
	seconds := took.Seconds()
	for i, upper := range durationBuckets {
		if seconds <= upper {
			m.buckets[i]++
			break
		}
	}
	m.count++
	m.sumTotal += seconds
}

func (m *metrics) write(w http.ResponseWriter, version string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP http_requests_total Requests served by the hello handler, by status code.")
	fmt.Fprintln(w, "# TYPE http_requests_total counter")
	codes := make([]int, 0, len(m.byCode))
	for code := range m.byCode {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		fmt.Fprintf(w, "http_requests_total{code=\"%d\"} %d\n", code, m.byCode[code])
	}
	fmt.Fprintln(w, "# HELP http_request_duration_seconds Time to answer a request of the hello handler.")
	fmt.Fprintln(w, "# TYPE http_request_duration_seconds histogram")
	var cumulative int64
	for i, upper := range durationBuckets {
		cumulative += m.buckets[i]
		fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=\"%g\"} %d\n", upper, cumulative)
	}
	fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.count)
	fmt.Fprintf(w, "http_request_duration_seconds_sum %g\n", m.sumTotal)
	fmt.Fprintf(w, "http_request_duration_seconds_count %d\n", m.count)
	fmt.Fprintln(w, "# HELP hello_build_info The version this process serves.")
	fmt.Fprintln(w, "# TYPE hello_build_info gauge")
	fmt.Fprintf(w, "hello_build_info{version=%q} 1\n", version)
}

type server struct {
	cfg      config
	pod      string
	ready    atomic.Bool
	served   atomic.Int64
	metrics  *metrics
	failures atomic.Int64
}

func newServer(cfg config) *server {
	pod, _ := os.Hostname()
	return &server{cfg: cfg, pod: pod, metrics: newMetrics()}
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.hello)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/ready", s.readiness)
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.metrics.write(w, s.cfg.Version)
	})
	return mux
}

// failNow spreads FAIL_PERCENT evenly over requests (every request n where the running
// share of failures falls behind), so a short test sees the stated share, not a random one.
func (s *server) failNow() bool {
	if s.cfg.FailPercent == 0 {
		return false
	}
	n := s.served.Add(1)
	if s.failures.Load()*100 < n*int64(s.cfg.FailPercent) {
		s.failures.Add(1)
		return true
	}
	return false
}

func (s *server) hello(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if s.cfg.ResponseDelay > 0 {
		time.Sleep(s.cfg.ResponseDelay)
	}
	code := http.StatusOK
	body := map[string]string{"message": s.cfg.Greeting, "version": s.cfg.Version, "pod": s.pod}
	if s.failNow() {
		code = http.StatusInternalServerError
		body = map[string]string{"error": "injected failure (FAIL_PERCENT)", "version": s.cfg.Version, "pod": s.pod}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-App-Version", s.cfg.Version)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
	s.metrics.observe(code, time.Since(start))
	logJSON("info", "request", map[string]any{"path": r.URL.Path, "code": code, "remote": r.RemoteAddr})
}

func (s *server) readiness(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

func main() {
	cfg, err := loadConfig()
	if err != nil {
		logJSON("error", "bad configuration", map[string]any{"error": err.Error()})
		os.Exit(2)
	}
	if cfg.FailMode == "crash" {
		logJSON("error", "refusing to start: FAIL_MODE=crash", map[string]any{"version": cfg.Version})
		os.Exit(1)
	}
	s := newServer(cfg)
	srv := &http.Server{Addr: ":" + cfg.Port, Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}

	go func() {
		logJSON("info", "listening", map[string]any{"port": cfg.Port, "version": cfg.Version,
			"api_key_set": cfg.APIKey != "", "fail_mode": cfg.FailMode, "fail_percent": cfg.FailPercent})
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logJSON("error", "server failed", map[string]any{"error": err.Error()})
			os.Exit(1)
		}
	}()
	go func() {
		time.Sleep(cfg.StartupDelay)
		if cfg.FailMode == "never-ready" {
			logJSON("warn", "never ready: FAIL_MODE=never-ready", nil)
			return
		}
		s.ready.Store(true)
		logJSON("info", "ready", nil)
	}()

	// Kubernetes sends SIGTERM on rollout: fail readiness, let the Service notice, then finish
	// in-flight requests and stop.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	s.ready.Store(false)
	logJSON("info", "draining", map[string]any{"for": cfg.DrainDelay.String()})
	time.Sleep(cfg.DrainDelay)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	logJSON("info", "stopped", nil)
}
