// hello-go: the sample service Gantry ships in its demo. Standard library only, so it builds
// offline. Liveness on /healthz, readiness on /ready, Prometheus text metrics on /metrics,
// JSON logs on stdout, configuration from the environment (ConfigMap) and a Secret.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	Port     string
	Greeting string
	// APIKey comes from a Secret; it is only ever reported as set or not.
	APIKey  string
	Version string
}

func loadConfig() config {
	return config{
		Port:     envOr("PORT", "8080"),
		Greeting: envOr("GREETING", "hello"),
		APIKey:   os.Getenv("API_KEY"),
		Version:  envOr("APP_VERSION", "dev"),
	}
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

type server struct {
	cfg      config
	ready    atomic.Bool
	requests atomic.Int64
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.hello)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/ready", s.readiness)
	mux.HandleFunc("/metrics", s.metrics)
	return mux
}

func (s *server) hello(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"message": s.cfg.Greeting, "version": s.cfg.Version})
	logJSON("info", "request", map[string]any{"path": r.URL.Path, "remote": r.RemoteAddr})
}

func (s *server) readiness(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

func (s *server) metrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP hello_requests_total Requests served by the hello handler.")
	fmt.Fprintln(w, "# TYPE hello_requests_total counter")
	fmt.Fprintf(w, "hello_requests_total %d\n", s.requests.Load())
	fmt.Fprintln(w, "# HELP hello_build_info Build information.")
	fmt.Fprintln(w, "# TYPE hello_build_info gauge")
	fmt.Fprintf(w, "hello_build_info{version=%q} 1\n", s.cfg.Version)
}

func main() {
	cfg := loadConfig()
	s := &server{cfg: cfg}
	srv := &http.Server{Addr: ":" + cfg.Port, Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}

	go func() {
		logJSON("info", "listening", map[string]any{"port": cfg.Port, "version": cfg.Version, "api_key_set": cfg.APIKey != ""})
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			logJSON("error", "server failed", map[string]any{"error": err.Error()})
			os.Exit(1)
		}
	}()
	s.ready.Store(true)

	// Kubernetes sends SIGTERM on rollout: stop taking traffic, finish in-flight requests.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	s.ready.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	logJSON("info", "stopped", nil)
}
