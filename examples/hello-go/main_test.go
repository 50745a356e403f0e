package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(mux *http.ServeMux, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestEndpoints(t *testing.T) {
	s := newServer(config{Greeting: "hi", Version: "1.2.3"})
	mux := s.routes()
	if rec := get(mux, "/ready"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/ready before start = %d, want 503", rec.Code)
	}
	s.ready.Store(true)
	if rec := get(mux, "/ready"); rec.Code != http.StatusOK {
		t.Fatalf("/ready = %d, want 200", rec.Code)
	}
	rec := get(mux, "/")
	if !strings.Contains(rec.Body.String(), `"version":"1.2.3"`) || rec.Header().Get("X-App-Version") != "1.2.3" {
		t.Fatalf("/ body = %q, headers %v", rec.Body.String(), rec.Header())
	}
	body := get(mux, "/metrics").Body.String()
	for _, want := range []string{
		`http_requests_total{code="200"} 1`,
		`http_request_duration_seconds_bucket{le="+Inf"} 1`,
		`http_request_duration_seconds_count 1`,
		`hello_build_info{version="1.2.3"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

func TestErrorCounterExistsBeforeTheFirstError(t *testing.T) {
	mux := newServer(config{Version: "x"}).routes()
	if body := get(mux, "/metrics").Body.String(); !strings.Contains(body, `http_requests_total{code="500"} 0`) {
		t.Fatalf("/metrics before any request lacks the 500 counter at 0:\n%s", body)
	}
}

func TestFailPercentServesThatShareOfErrors(t *testing.T) {
	for _, percent := range []int{0, 20, 50, 100} {
		s := newServer(config{Version: "x", FailPercent: percent})
		mux := s.routes()
		failed := 0
		for i := 0; i < 100; i++ {
			if get(mux, "/").Code == http.StatusInternalServerError {
				failed++
			}
		}
		if failed != percent {
			t.Errorf("FAIL_PERCENT=%d: %d of 100 failed", percent, failed)
		}
		if percent > 0 && !strings.Contains(get(mux, "/metrics").Body.String(), `http_requests_total{code="500"}`) {
			t.Errorf("FAIL_PERCENT=%d: no 500s counted in /metrics", percent)
		}
	}
}

func TestBadConfigurationIsNamed(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"FAIL_PERCENT", "120", "FAIL_PERCENT"},
		{"FAIL_MODE", "explode", "FAIL_MODE"},
		{"RESPONSE_DELAY", "soon", "RESPONSE_DELAY"},
	} {
		t.Setenv(tc.name, tc.value)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: error %v, want one naming %s", tc.name, tc.value, err, tc.want)
		}
		t.Setenv(tc.name, "")
	}
}
