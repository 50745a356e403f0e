# Kubernetes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (built from the
# pinned modules), certificates made here with openssl, and kwok simulating the nodes and
# pod lifecycles (kwok/stages.yaml), so Deployments really roll out: the real controller
# makes ReplicaSets, the real scheduler binds pods, kwok marks them Running/Ready.

KUBE_STATE=$STATE_DIR/kube
PKI=$KUBE_STATE/pki
KWOK_NODE_COUNT=2
KWOK_NODE_ANNOTATION=kwok.x-k8s.io/node=fake
SERVICE_CIDR=10.96.0.0/16

kubectl_tb() { "$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# sign NAME SUBJECT EXTENSIONS: a key and a CA-signed certificate under PKI.
sign() {
  local name=$1 subj=$2 ext=$3
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" \
    -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

kube_certs() {
  kube_cluster_certs
  # The API server's client identity towards kubelets (logs, exec, port-forward); made on
  # its own so a state dir from before the real node gains it too.
  [ -s "$PKI/apiserver-kubelet-client.crt" ] ||
    sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" \
      "extendedKeyUsage=clientAuth
keyUsage=digitalSignature,keyEncipherment"
}

kube_cluster_certs() {
  [ -s "$PKI/admin.crt" ] && [ -s "$KUBECONFIG_PATH" ] && return 0
  log "generating Kubernetes certificates"
  mkdir -p "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -keyout "$PKI/ca.key" \
    -out "$PKI/ca.crt" -subj "/CN=gantry-testbed-ca" 2>/dev/null
  sign apiserver "/CN=kube-apiserver" \
    "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
keyUsage=digitalSignature,keyEncipherment"
  # system:masters: cluster-admin for the tests, the controllers and kwok alike.
  sign admin "/O=system:masters/CN=gantry-testbed-admin" \
    "extendedKeyUsage=clientAuth
keyUsage=digitalSignature,keyEncipherment"
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  # Data embedded so the kubeconfig works from anywhere, for any client library.
  cat >"$KUBECONFIG_PATH" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: gantry-testbed
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: gantry-testbed-admin
  user:
    client-certificate-data: $(base64 -w0 "$PKI/admin.crt")
    client-key-data: $(base64 -w0 "$PKI/admin.key")
contexts:
- name: gantry-testbed
  context:
    cluster: gantry-testbed
    user: gantry-testbed-admin
    namespace: default
current-context: gantry-testbed
KUBECONFIG
}

apiserver_ready() { kubectl_tb get --raw /readyz >/dev/null 2>&1; }

kube_up() {
  mkdir -p "$KUBE_STATE"
  kube_certs

  start_daemon etcd "$ETCD_DIR/etcd" --name testbed --data-dir "$KUBE_STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "testbed=http://127.0.0.1:$ETCD_PEER_PORT" \
    --quota-backend-bytes 2147483648
  wait_for etcd 60 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
  require_running etcd

  local apiserver_args=(
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT"
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT"
    --cert-dir "$KUBE_STATE/apiserver"
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key"
    --client-ca-file "$PKI/ca.crt"
    # To the real node's kubelet (kubectl logs, exec, port-forward), by its InternalIP.
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt"
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key"
    --kubelet-certificate-authority "$PKI/ca.crt"
    --kubelet-preferred-address-types InternalIP,Hostname
    --service-account-issuer https://kubernetes.default.svc.cluster.local
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key"
    --service-cluster-ip-range "$SERVICE_CIDR"
    --authorization-mode Node,RBAC --allow-privileged=true --profiling=false
  )
  # A changed flag set (or a new build) restarts the API server once; clients reconnect.
  restart_if_changed kube-apiserver "$KUBE_DIR/kube-apiserver" "${apiserver_args[@]}"
  start_daemon kube-apiserver "$KUBE_DIR/kube-apiserver" "${apiserver_args[@]}"
  wait_for kube-apiserver 120 apiserver_ready
  require_running kube-apiserver

  # The controllers run with the admin identity (system:masters): this is a test cluster.
  # A long node-monitor grace period: kwok nodes are never really unhealthy, and a slow
  # heartbeat on a busy 2-core machine must not taint them and evict test pods.
  start_daemon kube-controller-manager "$KUBE_DIR/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG_PATH" \
    --authentication-kubeconfig "$KUBECONFIG_PATH" --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
    --cert-dir "$KUBE_STATE/controller-manager" \
    --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --node-monitor-grace-period 10m --profiling=false
  start_daemon kube-scheduler "$KUBE_DIR/kube-scheduler" \
    --kubeconfig "$KUBECONFIG_PATH" \
    --authentication-kubeconfig "$KUBECONFIG_PATH" --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" \
    --cert-dir "$KUBE_STATE/scheduler" \
    --leader-elect=false --profiling=false
  # kwok reads its stages once: restart it when kwok/stages.yaml changed since it started.
  local stages_hash; stages_hash=$(sha256sum "$TESTBED_DIR/kwok/stages.yaml" | cut -c1-16)
  if is_running kwok && [ "$(cat "$KUBE_STATE/kwok-stages.hash" 2>/dev/null)" != "$stages_hash" ]; then
    log "kwok stages changed; restarting kwok"
    stop_daemon kwok
  fi
  echo "$stages_hash" >"$KUBE_STATE/kwok-stages.hash"
  start_daemon kwok "$KWOK_DIR/kwok" \
    --kubeconfig "$KUBECONFIG_PATH" \
    --config "$TESTBED_DIR/kwok/stages.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector "$KWOK_NODE_ANNOTATION" \
    --server-address "127.0.0.1:$KWOK_PORT" \
    --cidr 10.244.0.0/16 --node-ip 10.0.0.1 \
    --node-lease-duration-seconds 40
  sleep 1
  require_running kube-controller-manager
  require_running kube-scheduler
  require_running kwok

  kwok_nodes
  wait_for "kwok nodes Ready" 90 kubectl_tb wait --for=condition=Ready node --all --timeout=5s
  # Pods need the namespace's default ServiceAccount, made by the controller-manager.
  wait_for "default ServiceAccount" 60 kubectl_tb get serviceaccount default -n default
}

# Node objects kwok manages (selected by annotation). No taints: test manifests schedule
# onto them as they are.
kwok_nodes() {
  local i
  for i in $(seq 0 $((KWOK_NODE_COUNT - 1))); do
    kubectl_tb get node "kwok-node-$i" >/dev/null 2>&1 && continue
    kubectl_tb apply -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    ${KWOK_NODE_ANNOTATION%%=*}: ${KWOK_NODE_ANNOTATION#*=}
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
status:
  allocatable:
    cpu: "32"
    memory: 256Gi
    pods: "110"
  capacity:
    cpu: "32"
    memory: 256Gi
    pods: "110"
NODE
  done
}

KUBE_DAEMONS="etcd kube-apiserver kube-controller-manager kube-scheduler kwok"

kube_status() {
  local d
  for d in $KUBE_DAEMONS; do is_running "$d" || return 1; done
  apiserver_ready
}

kube_down() {
  # Clients before the API server, the API server before etcd.
  stop_daemons kwok kube-scheduler kube-controller-manager
  stop_daemon kube-apiserver
  stop_daemon etcd
}
