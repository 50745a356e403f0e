package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEndpoints(t *testing.T) {
	s := &server{cfg: config{Greeting: "hi", Version: "1.2.3"}}
	mux := s.routes()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get("/ready"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/ready before start = %d, want 503", rec.Code)
	}
	s.ready.Store(true)
	if rec := get("/ready"); rec.Code != http.StatusOK {
		t.Fatalf("/ready = %d, want 200", rec.Code)
	}
	if rec := get("/"); !strings.Contains(rec.Body.String(), `"version":"1.2.3"`) {
		t.Fatalf("/ body = %q", rec.Body.String())
	}
	if rec := get("/metrics"); !strings.Contains(rec.Body.String(), "hello_requests_total 1") {
		t.Fatalf("/metrics body = %q", rec.Body.String())
	}
}
