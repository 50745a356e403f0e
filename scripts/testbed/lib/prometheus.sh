# Prometheus (Debian's 2.42) with the testbed's own config: the real node's pods (found by
# prometheus/pod-targets.sh, a file_sd feed, since this build has no kubernetes_sd), the
# kubelet's cAdvisor and the router. Scrapes every 5 s, so a rate over the last 30 s answers
# about 15 s after traffic starts. Listens on PROMETHEUS_URL (127.0.0.1 only).

PROMETHEUS_PORT=19090
PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
PROMETHEUS_STATE=$STATE_DIR/prometheus

prometheus_config() {
  mkdir -p "$PROMETHEUS_STATE/targets"
  [ -f "$PROMETHEUS_STATE/targets/pods.json" ] || echo '[]' >"$PROMETHEUS_STATE/targets/pods.json"
  cat >"$PROMETHEUS_STATE/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  scrape_timeout: 4s
  evaluation_interval: 5s
scrape_configs:
- job_name: pods
  file_sd_configs: [{files: ["$PROMETHEUS_STATE/targets/pods.json"], refresh_interval: 5s}]
- job_name: kubelet-cadvisor
  scheme: https
  metrics_path: /metrics/cadvisor
  tls_config: {ca_file: $PKI/ca.crt, cert_file: $PKI/admin.crt, key_file: $PKI/admin.key}
  static_configs: [{targets: ["$REALNODE_IP:$KUBELET_PORT"], labels: {node: $REALNODE}}]
- job_name: router
  static_configs: [{targets: ["127.0.0.1:$ROUTER_ADMIN_PORT"], labels: {router: $ROUTER}}]
YAML
}

prometheus_ready() { curl -fsS "$PROMETHEUS_URL/-/ready" >/dev/null 2>&1; }

prometheus_up() {
  command -v prometheus >/dev/null || die "prometheus is missing (Debian package prometheus)"
  prometheus_config
  restart_if_changed prometheus-targets "$(cat "$TESTBED_DIR"/prometheus/pod-targets.*)"
  start_daemon prometheus-targets /bin/bash "$TESTBED_DIR/prometheus/pod-targets.sh" \
    "$KUBE_DIR/kubectl" "$KUBECONFIG_PATH" "$REALNODE" "$PROMETHEUS_STATE/targets/pods.json"
  restart_if_changed prometheus "$(cat "$PROMETHEUS_STATE/prometheus.yml")"
  start_daemon prometheus /usr/bin/prometheus --config.file "$PROMETHEUS_STATE/prometheus.yml" \
    --storage.tsdb.path "$PROMETHEUS_STATE/data" --storage.tsdb.retention.time 2d \
    --web.listen-address "127.0.0.1:$PROMETHEUS_PORT"
  wait_for "prometheus on $PROMETHEUS_URL" 60 prometheus_ready
  require_running prometheus
  require_running prometheus-targets
}

prometheus_status() { is_running prometheus && is_running prometheus-targets && prometheus_ready; }

prometheus_down() { stop_daemons prometheus-targets prometheus; }
