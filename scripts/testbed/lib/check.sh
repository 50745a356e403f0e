# `testbed.sh check`: proves each part the way the e2e suites will use it. Prints one
# PASS/FAIL line per part and exits non-zero if any part failed.

CHECK_FAILED=0

# part NAME FUNCTION: runs FUNCTION with its output in a log, reports PASS/FAIL.
part() {
  local name=$1 fn=$2 out; out=$CHECK_DIR/$fn.log
  local start=$SECONDS
  if ( set -euo pipefail; "$fn" ) >"$out" 2>&1; then
    printf 'PASS  %-50s (%ss)\n' "$name" "$((SECONDS - start))"
  else
    printf 'FAIL  %-50s (%ss) -- log: %s\n' "$name" "$((SECONDS - start))" "$out"
    tail -n 15 "$out" | sed 's/^/      | /'
    CHECK_FAILED=1
  fi
}

check_status() { cmd_status; }

# A multi-stage build on the Go builder image, pushed and then pulled back by digest.
check_build_push_pull() {
  local ctx=$CHECK_DIR/app
  mkdir -p "$ctx"
  cat >"$ctx/go.mod" <<'GOMOD'
module example.com/hello

go 1.26
GOMOD
  cat >"$ctx/main.go" <<GO
package main

import "fmt"

func main() { fmt.Println("hello from the gantry testbed $CHECK_ID") }
GO
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $IMAGE_GOLANG AS build
WORKDIR /src
COPY go.mod main.go ./
RUN go build -o /out/hello .
FROM $IMAGE_BUSYBOX
COPY --from=build /out/hello /hello
ENTRYPOINT ["/hello"]
DOCKERFILE
  local ref=$REGISTRY/testbed-check/hello
  docker_cli buildx build --builder "$BUILDX_BUILDER_NAME" --progress plain \
    --tag "$ref:$CHECK_ID" --push --metadata-file "$CHECK_DIR/build1.json" \
    --cache-to "type=registry,ref=$ref:buildcache,mode=max" \
    --cache-to "type=local,dest=$CHECK_DIR/localcache,mode=max" \
    "$ctx"
  local digest; digest=$(jq -r '."containerimage.digest"' "$CHECK_DIR/build1.json")
  echo "pushed $ref@$digest"
  [[ $digest == sha256:* ]]
  docker_cli pull "$ref@$digest"
  docker_cli run --rm "$ref@$digest" | tee "$CHECK_DIR/run.out"
  grep -q "hello from the gantry testbed $CHECK_ID" "$CHECK_DIR/run.out"
  [ -f "$CHECK_DIR/localcache/index.json" ]
}

# The builder's own cache is pruned first, so CACHED can only come from the exported cache.
check_cache_hit() {
  local ref=$REGISTRY/testbed-check/hello
  docker_cli buildx prune --builder "$BUILDX_BUILDER_NAME" --all --force
  docker_cli buildx build --builder "$BUILDX_BUILDER_NAME" --progress plain \
    --tag "$ref:$CHECK_ID-rebuild" --push \
    --cache-from "type=registry,ref=$ref:buildcache" \
    "$CHECK_DIR/app" 2>&1 | tee "$CHECK_DIR/rebuild.out"
  grep -E '^#[0-9]+ CACHED' "$CHECK_DIR/rebuild.out"
  # The expensive step itself must come from the cache, not just a metadata step.
  grep -B3 -E '^#[0-9]+ CACHED' "$CHECK_DIR/rebuild.out" | grep -q 'RUN go build'
}

# The plain docker driver (engine BuildKit) still builds from the local images.
check_docker_driver() {
  printf 'FROM %s\nRUN echo built-by-docker-driver > /built\n' "$IMAGE_BUSYBOX" >"$CHECK_DIR/Dockerfile.docker"
  docker_cli buildx build --builder default --progress plain -f "$CHECK_DIR/Dockerfile.docker" \
    --tag "testbed-check/docker-driver:$CHECK_ID" --load "$CHECK_DIR"
  docker_cli run --rm "testbed-check/docker-driver:$CHECK_ID" cat /built | grep -q built-by-docker-driver
  docker_cli rmi "testbed-check/docker-driver:$CHECK_ID" >/dev/null
}

trivy_scan() {
  "$TRIVY_BIN" image --quiet --format json --scanners vuln --skip-version-check \
    --db-repository "$TRIVY_DB_REPOSITORY" --skip-java-db-update \
    --cache-dir "$CHECK_DIR/trivy-cache" "$1"
}

# A fresh cache dir each time, so the DB really is downloaded from the local registry.
check_trivy_vulnerable() {
  trivy_scan "$IMAGE_VULNERABLE" >"$CHECK_DIR/trivy-vulnerable.json"
  local found
  found=$(jq -r '[.Results[]?.Vulnerabilities[]? | "\(.VulnerabilityID) \(.Severity) \(.PkgName) \(.FixedVersion // "")"] | .[]' \
    "$CHECK_DIR/trivy-vulnerable.json" | sort)
  echo "$found"
  grep -qx "CVE-2099-0001 CRITICAL $VULN_PACKAGE " <<<"$found"
  grep -qx "CVE-2099-0002 HIGH $VULN_PACKAGE 1.0.0-2" <<<"$found"
  ! grep -q CVE-2099-0005 <<<"$found"
}

check_trivy_clean() {
  local image n
  for image in "$IMAGE_BUSYBOX" "$IMAGE_DEBIAN"; do
    trivy_scan "$image" >"$CHECK_DIR/trivy-clean.json"
    n=$(jq '[.Results[]?.Vulnerabilities[]?] | length' "$CHECK_DIR/trivy-clean.json")
    echo "$image: $n findings"
    [ "$n" = 0 ]
  done
}

# Rollout, update, failed update (never-ready marker), undo: what kubectl users rely on.
check_kube_rollouts() {
  local ns=testbed-check-$CHECK_ID
  kubectl_tb create namespace "$ns"
  kubectl_tb -n "$ns" create deployment web --image "$IMAGE_BUSYBOX" --replicas 2
  kubectl_tb -n "$ns" rollout status deployment/web --timeout=90s
  kubectl_tb -n "$ns" get pods -o wide

  kubectl_tb -n "$ns" set image deployment/web busybox="$IMAGE_DEBIAN"
  kubectl_tb -n "$ns" rollout status deployment/web --timeout=90s

  kubectl_tb -n "$ns" set image deployment/web busybox="$REGISTRY/testbed/never-ready:1"
  if kubectl_tb -n "$ns" rollout status deployment/web --timeout=20s; then
    echo "a never-ready update rolled out; expected rollout status to fail"; return 1
  fi
  kubectl_tb -n "$ns" get pods

  kubectl_tb -n "$ns" rollout undo deployment/web
  kubectl_tb -n "$ns" rollout status deployment/web --timeout=90s
  local image
  image=$(kubectl_tb -n "$ns" get deployment web -o jsonpath='{.spec.template.spec.containers[0].image}')
  echo "after undo: $image"
  [ "$image" = "$IMAGE_DEBIAN" ]

  # The label and annotation forms of the marker, too.
  local form
  for form in labels annotations; do
    kubectl_tb -n "$ns" patch deployment web --type merge \
      -p "{\"spec\":{\"template\":{\"metadata\":{\"$form\":{\"testbed.gantry.dev/never-ready\":\"true\"}}}}}"
    if kubectl_tb -n "$ns" rollout status deployment/web --timeout=20s; then
      echo "a never-ready ($form) update rolled out; expected rollout status to fail"; return 1
    fi
    kubectl_tb -n "$ns" rollout undo deployment/web
    kubectl_tb -n "$ns" rollout status deployment/web --timeout=90s
  done
  kubectl_tb delete namespace "$ns" --wait=false
}

# A Deployment of busybox httpd on the real node: NAME REPLICAS TRACK. Each pod serves
# "NAME <pod name>" on / and a Prometheus text file on /metrics.
real_web_manifest() {
  local name=$1 replicas=$2 track=$3
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $name}
spec:
  replicas: $replicas
  selector: {matchLabels: {app: $name}}
  template:
    metadata:
      labels: {app: $name, gantry.dev/track: $track}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "8080"}
    spec:
      nodeSelector: {$REALNODE_LABEL_KEY: $REALNODE_LABEL_VALUE}
      tolerations: [{key: $REALNODE_LABEL_KEY, operator: Equal, value: $REALNODE_LABEL_VALUE, effect: NoSchedule}]
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: $IMAGE_BUSYBOX
        command: ["sh", "-c", "mkdir -p /www && echo \"$name \$(hostname)\" >/www/index.html && printf 'testbed_check_info{app=\"$name\"} 1\\\\n' >/www/metrics && echo serving && exec httpd -f -v -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: $name}
spec:
  selector: {app: $name}
  ports: [{port: 80, targetPort: 8080}]
YAML
}

# How many of N requests (curl ARGS...) answered with each first word of the body.
count_answers() {
  local n=$1 i; shift
  for i in $(seq 1 "$n"); do curl -sS -m 3 "$@" 2>/dev/null | awk '{print $1; exit}' || true; done |
    sort | uniq -c
}

# Pods on the real node serve HTTP to the host by pod IP and by ClusterIP (both replicas),
# with kubectl logs and exec working through the API server.
check_realnode_http() {
  local ns=testbed-check-real-$CHECK_ID
  kubectl_tb create namespace "$ns"
  { real_web_manifest web 2 stable; echo ---; real_web_manifest web-canary 1 canary; } |
    kubectl_tb -n "$ns" apply -f -
  kubectl_tb -n "$ns" rollout status deployment/web --timeout=120s
  kubectl_tb -n "$ns" rollout status deployment/web-canary --timeout=120s
  kubectl_tb -n "$ns" get pods -o wide
  local pod ip nodes
  nodes=$(kubectl_tb -n "$ns" get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u)
  [ "$nodes" = "$REALNODE" ] || { echo "pods landed on: $nodes (expected only $REALNODE)"; return 1; }
  for pod in $(kubectl_tb -n "$ns" get pods -l app=web -o name); do
    ip=$(kubectl_tb -n "$ns" get "$pod" -o jsonpath='{.status.podIP}')
    curl -fsS -m 3 "http://$ip:8080/" | tee -a "$CHECK_DIR/pod-http.out"
    grep -q "^web ${pod#pod/}$" "$CHECK_DIR/pod-http.out"
  done
  local cip; cip=$(kubectl_tb -n "$ns" get service web -o jsonpath='{.spec.clusterIP}')
  # EndpointSlices and kube-proxy follow readiness a moment later: until both replicas answer.
  local i answers=0
  for i in $(seq 1 30); do
    answers=$(for _ in $(seq 1 10); do curl -fsS -m 2 "http://$cip/" 2>/dev/null || true; done | sort -u | grep -c '^web ' || true)
    [ "$answers" -ge 2 ] && break
    sleep 1
  done
  echo "ClusterIP $cip: $answers distinct replicas answered"
  [ "$answers" -ge 2 ]
  kubectl_tb -n "$ns" logs deployment/web | grep -q serving
  kubectl_tb -n "$ns" exec deployment/web -- cat /www/index.html | grep -q '^web '
  echo "logs and exec work"
}

# The router: an HTTPRoute on the testbed Gateway sends 80/20 to web / web-canary; 100
# requests through ROUTER_URL must show the split (Traefik's weighted round robin: ±5).
check_router_split() {
  local ns=testbed-check-real-$CHECK_ID host=check-$CHECK_ID.testbed.local
  kubectl_tb -n "$ns" apply -f - <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: $ROUTER_GATEWAY_NAME, namespace: $ROUTER_GATEWAY_NAMESPACE}]
  hostnames: ["$host"]
  rules:
  - backendRefs:
    - {name: web, port: 80, weight: 80}
    - {name: web-canary, port: 80, weight: 20}
YAML
  local i
  for i in $(seq 1 30); do
    curl -fsS -m 2 -H "Host: $host" "$ROUTER_URL/" >/dev/null 2>&1 && break
    sleep 1
  done
  count_answers 100 -H "Host: $host" "$ROUTER_URL/" | tee "$CHECK_DIR/router-split.out"
  local canary stable
  canary=$(awk '$2 == "web-canary" {print $1}' "$CHECK_DIR/router-split.out")
  stable=$(awk '$2 == "web" {print $1}' "$CHECK_DIR/router-split.out")
  echo "stable ${stable:-0}, canary ${canary:-0} of 100"
  [ "${canary:-0}" -ge 15 ] && [ "${canary:-0}" -le 25 ] && [ $(( ${canary:-0} + ${stable:-0} )) -eq 100 ]
}

# Prometheus scrapes the real node's pods, labelled by pod, deployment and track.
check_prometheus_query() {
  local ns=testbed-check-real-$CHECK_ID i result
  local query="count by (deployment, track) (testbed_check_info{namespace=\"$ns\"})"
  for i in $(seq 1 60); do
    result=$(curl -fsS "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$query" |
      jq -c '[.data.result[] | {d: .metric.deployment, t: .metric.track, n: .value[1]}] | sort_by(.d)')
    [ "$result" = '[{"d":"web","t":"stable","n":"2"},{"d":"web-canary","t":"canary","n":"1"}]' ] && break
    sleep 1
  done
  echo "$query -> $result (after ${i}s)"
  [ "$result" = '[{"d":"web","t":"stable","n":"2"},{"d":"web-canary","t":"canary","n":"1"}]' ]
  kubectl_tb delete namespace "$ns" --wait=false
}

cmd_check() {
  [ -f "$ENV_FILE" ] || die "the testbed is not up (run: npm run testbed -- up)"
  CHECK_ID=$(date -u +%Y%m%d%H%M%S)
  CHECK_DIR=$STATE_DIR/check/$CHECK_ID
  mkdir -p "$CHECK_DIR"
  export PATH=$TESTBED_BIN:$PATH
  log "self-test; logs in $CHECK_DIR"
  part "status: every part up" check_status
  part "buildx: multi-stage build, push, pull by digest" check_build_push_pull
  part "buildx: cache export + cache hit on rebuild" check_cache_hit
  part "docker driver: engine build with RUN" check_docker_driver
  part "trivy: authored CVEs in vulnerable image" check_trivy_vulnerable
  part "trivy: no findings in busybox and debian" check_trivy_clean
  part "kubernetes: rollout, update, fail, undo" check_kube_rollouts
  part "real node: pod IP and ClusterIP answer, logs, exec" check_realnode_http
  part "router ($ROUTER): HTTPRoute 80/20 split, 100 requests" check_router_split
  part "prometheus: real-node pods by deployment and track" check_prometheus_query
  if [ "$CHECK_FAILED" = 0 ]; then log "check: all parts passed"; else log "check: FAILED"; fi
  return "$CHECK_FAILED"
}
