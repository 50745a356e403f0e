# The router for weighted traffic: Traefik (built from go/traefik) on this host, outside the
# cluster, watching it through the admin kubeconfig. Its Gateway API provider turns HTTPRoute
# backendRefs weights (Gantry's traffic-split gateway-api) into weighted round robin over the
# pods' IPs, which answer from the host. Listener: ROUTER_URL on 127.0.0.1.
#
# The Gateway API CRDs come from the sigs.k8s.io/gateway-api module Traefik is built with
# (go/traefik/go.sum pins it), so the API and the controller always agree.

ROUTER=traefik
ROUTER_PORT=8000
ROUTER_ADMIN_PORT=8001
ROUTER_URL=http://127.0.0.1:$ROUTER_PORT
ROUTER_GATEWAY_CLASS=traefik
ROUTER_GATEWAY_NAMESPACE=testbed-router
ROUTER_GATEWAY_NAME=web
ROUTER_STATE=$STATE_DIR/router

# The standard-channel CRD files of the gateway-api module in Traefik's dependency graph
# (downloaded with it; `go mod download` fetches it alone if the build came from elsewhere).
gateway_api_crd_dir() {
  local dir
  dir=$(env -C "$GO_MODULES_DIR/traefik" GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
    go mod download -json sigs.k8s.io/gateway-api | jq -r .Dir) || return 1
  [ -d "$dir/config/crd/standard" ] && echo "$dir/config/crd/standard"
}

gateway_api_crds() {
  kubectl_tb get crd httproutes.gateway.networking.k8s.io gateways.gateway.networking.k8s.io \
    gatewayclasses.gateway.networking.k8s.io >/dev/null 2>&1 && return 0
  local dir; dir=$(gateway_api_crd_dir) || die "cannot find the Gateway API CRDs (go/traefik module)"
  log "installing the Gateway API CRDs from ${dir%/config/crd/standard}"
  kubectl_tb apply --server-side -f "$dir" >/dev/null
  kubectl_tb wait --for condition=Established --timeout=60s \
    crd/httproutes.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
    crd/gatewayclasses.gateway.networking.k8s.io >/dev/null
}

router_gateway() {
  kubectl_tb apply -f - >/dev/null <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: $ROUTER_GATEWAY_CLASS
spec:
  controllerName: traefik.io/gateway-controller
---
apiVersion: v1
kind: Namespace
metadata:
  name: $ROUTER_GATEWAY_NAMESPACE
---
# One HTTP listener for every namespace's HTTPRoutes; its port is Traefik's entry point.
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: $ROUTER_GATEWAY_NAME
  namespace: $ROUTER_GATEWAY_NAMESPACE
spec:
  gatewayClassName: $ROUTER_GATEWAY_CLASS
  listeners:
  - name: http
    protocol: HTTP
    port: $ROUTER_PORT
    allowedRoutes:
      namespaces:
        from: All
YAML
}

router_config() {
  mkdir -p "$ROUTER_STATE"
  cat >"$ROUTER_STATE/traefik.yml" <<YAML
global: {checkNewVersion: false, sendAnonymousUsage: false}
entryPoints:
  web: {address: "127.0.0.1:$ROUTER_PORT"}
  admin: {address: "127.0.0.1:$ROUTER_ADMIN_PORT"}
providers:
  # Out of the cluster: the provider reads KUBECONFIG. A short throttle so a weight change
  # is live within a second.
  kubernetesGateway: {throttleDuration: 1s}
ping: {entryPoint: admin}
metrics:
  prometheus: {entryPoint: admin, addServicesLabels: true, addRoutersLabels: true}
log: {level: INFO}
YAML
}

router_ready() { curl -fsS "http://127.0.0.1:$ROUTER_ADMIN_PORT/ping" >/dev/null 2>&1; }

# True when the Gateway is accepted by Traefik (its status says Programmed).
router_gateway_programmed() {
  [ "$(kubectl_tb -n "$ROUTER_GATEWAY_NAMESPACE" get gateway "$ROUTER_GATEWAY_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Programmed")].status}' 2>/dev/null)" = True ]
}

router_up() {
  traefik_built
  gateway_api_crds
  router_gateway
  router_config
  restart_if_changed traefik "$TRAEFIK_DIR/traefik" "$(cat "$ROUTER_STATE/traefik.yml")"
  KUBECONFIG=$KUBECONFIG_PATH start_daemon traefik "$TRAEFIK_DIR/traefik" \
    --configFile "$ROUTER_STATE/traefik.yml"
  wait_for "traefik on 127.0.0.1:$ROUTER_ADMIN_PORT" 60 router_ready
  wait_for "Gateway $ROUTER_GATEWAY_NAMESPACE/$ROUTER_GATEWAY_NAME programmed" 60 router_gateway_programmed
  require_running traefik
}

router_status() { is_running traefik && router_ready; }

router_down() { stop_daemon traefik; }
