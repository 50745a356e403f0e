# The real node, realnode-0: a kubelet and kube-proxy (built with the other Kubernetes
# binaries), Debian's containerd + runc and CNI plugins, joined to the testbed's own API
# server next to the kwok nodes. Its pods really run images from the local registry, really
# probe, crash and serve HTTP; pod IPs and ClusterIPs answer from this host.
#
# Workloads choose it: it carries the label and taint gantry.dev/node=real(:NoSchedule), so
# only pods with the toleration and the nodeSelector land here; kwok keeps the rest.
# What it needed on this machine kind (cgroup v1, no CAP_SYS_RESOURCE, docker's FORWARD DROP)
# is explained where it is set; background: ../README.md "The real node".

REALNODE=realnode-0
REALNODE_LABEL_KEY=gantry.dev/node
REALNODE_LABEL_VALUE=real
REALNODE_TAINT=$REALNODE_LABEL_KEY=$REALNODE_LABEL_VALUE:NoSchedule
# The pods' bridge and its subnet; the node's own IP is the bridge's gateway address, so
# the kubelet listens only where the host and its pods reach it, never on the machine's NIC.
REALNODE_BRIDGE=gantry0
REALNODE_POD_CIDR=10.88.0.0/16
REALNODE_IP=10.88.0.1
# kwok's fake pod IPs: routed nowhere (unreachable), so a request to a simulated pod fails
# here instead of leaving the machine.
KWOK_POD_CIDR=10.244.0.0/16
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=10248
KUBE_PROXY_HEALTHZ_PORT=10256
KUBE_PROXY_METRICS_PORT=10249

RN_STATE=$STATE_DIR/realnode
RN_PKI=$PKI
CONTAINERD_SOCK=$RN_STATE/containerd/containerd.sock
REALNODE_CGROUP_ROOT=/gantry-realnode
PAUSE_IMAGE=$REGISTRY/testbed/pause:$PAUSE_VERSION
# What the kubelet and kube-proxy change on the host (their defaults); saved before the
# first start, put back by `down`.
REALNODE_SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet"

kubectl_node() { "$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# component_kubeconfig FILE CERT: a kubeconfig for one client certificate under PKI.
component_kubeconfig() {
  cat >"$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: gantry-testbed
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$2.crt")
    client-key-data: $(base64 -w0 "$PKI/$2.key")
contexts:
- name: gantry-testbed
  context: {cluster: gantry-testbed, user: $2}
current-context: gantry-testbed
KUBECONFIG
}

realnode_certs() {
  local client="extendedKeyUsage=clientAuth
keyUsage=digitalSignature,keyEncipherment"
  mkdir -p "$RN_STATE"
  # The Node authorizer knows a kubelet by system:node:<name> in group system:nodes.
  [ -s "$PKI/kubelet.crt" ] || sign kubelet "/O=system:nodes/CN=system:node:$REALNODE" "$client"
  # The kubelet's serving certificate, signed by the cluster CA the API server checks.
  [ -s "$PKI/kubelet-serving.crt" ] || sign kubelet-serving "/CN=$REALNODE" \
    "subjectAltName=IP:$REALNODE_IP,IP:127.0.0.1,DNS:$REALNODE,DNS:localhost
extendedKeyUsage=serverAuth
keyUsage=digitalSignature,keyEncipherment"
  # The bootstrap RBAC already binds system:node-proxier to this user.
  [ -s "$PKI/kube-proxy.crt" ] || sign kube-proxy "/CN=system:kube-proxy" "$client"
  [ -s "$RN_STATE/kubelet.kubeconfig" ] || component_kubeconfig "$RN_STATE/kubelet.kubeconfig" kubelet
  [ -s "$RN_STATE/kube-proxy.kubeconfig" ] || component_kubeconfig "$RN_STATE/kube-proxy.kubeconfig" kube-proxy
}

# The pause image: the static binary from tools.sh, imported and pushed once.
realnode_pause_image() {
  in_registry "$PAUSE_IMAGE" && return 0
  log "importing $PAUSE_IMAGE"
  tar --numeric-owner --owner=0 --group=0 -C "$PAUSE_DIR" -c pause |
    docker_cli import --change 'ENTRYPOINT ["/pause"]' - "$PAUSE_IMAGE" >/dev/null
  push_image "$PAUSE_IMAGE"
}

# The bridge exists before the kubelet starts: its address is the node IP.
realnode_network() {
  if ! ip link show "$REALNODE_BRIDGE" >/dev/null 2>&1; then
    ip link add "$REALNODE_BRIDGE" type bridge
  fi
  # Read first: with pipefail, `ip … | grep -q` fails when grep stops reading early.
  local addresses; addresses=$(ip addr show dev "$REALNODE_BRIDGE")
  [[ $addresses == *"inet $REALNODE_IP/"* ]] ||
    ip addr add "$REALNODE_IP/${REALNODE_POD_CIDR#*/}" dev "$REALNODE_BRIDGE"
  ip link set "$REALNODE_BRIDGE" up
  # ClusterIPs via the bridge: locally sent packets need a route before kube-proxy's DNAT
  # rewrites them; without one they would take the default route off the machine.
  ip route replace "$SERVICE_CIDR" dev "$REALNODE_BRIDGE" src "$REALNODE_IP"
  ip route replace unreachable "$KWOK_POD_CIDR"
  # The firewall plugin (1.1.1) checks, then creates its chains: two pods' CNI ADDs at once
  # race and one fails (CHAIN_USER_ADD), costing the pod ~10 s. Made here, exactly as it
  # writes them. Needed at all because docker's FORWARD policy is DROP with br_netfilter on.
  iptables -N CNI-ADMIN 2>/dev/null || true
  iptables -N CNI-FORWARD 2>/dev/null || true
  iptables -C CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN 2>/dev/null ||
    iptables -I CNI-FORWARD 1 -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
  iptables -C FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null ||
    iptables -I FORWARD 1 -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
}

realnode_containerd_config() {
  local ctrd=$RN_STATE/containerd
  mkdir -p "$ctrd/certs.d/$REGISTRY" "$RN_STATE/cni/net.d" "$RN_STATE/cni/networks"
  # The local registry is plain HTTP.
  cat >"$ctrd/certs.d/$REGISTRY/hosts.toml" <<TOML
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
TOML
  write_if_changed "$RN_STATE/cni/net.d/10-gantry-realnode.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "gantry-realnode",
  "plugins": [
    {"type": "bridge", "bridge": "$REALNODE_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$RN_STATE/cni/networks",
              "ranges": [[{"subnet": "$REALNODE_POD_CIDR", "gateway": "$REALNODE_IP"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall"}
  ]
}
JSON
  cat >"$ctrd/config.toml" <<TOML
version = 2
root = "$ctrd/root"
state = "$ctrd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$ctrd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  # Root here lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj to the sandbox's -998
  # and every pod fails ("can't get final child's PID from pipe"). This clamps it instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
        Root = "$ctrd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$RN_STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$ctrd/certs.d"
TOML
}

realnode_kubelet_config() {
  write_if_changed "$RN_STATE/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine kind runs cgroup v1 (hybrid); kubelet 1.36 only warns with this.
failCgroupV1: false
cgroupDriver: cgroupfs
# Pod cgroups under a root of their own (made in every v1 hierarchy before the start).
cgroupRoot: $REALNODE_CGROUP_ROOT
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $REALNODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
clusterDomain: cluster.local
podLogsDir: $RN_STATE/pod-logs
staticPodPath: ""
serializeImagePulls: false
# state.waiting.reason=CrashLoopBackOff is published on the pod sync after a crash; the
# default 1m resync leaves the API at terminated/Error for up to a minute per restart.
syncFrequency: 10s
# The disk is shared with the builds and every suite's images: no GC or eviction storms.
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
YAML
}

realnode_kube_proxy_config() {
  write_if_changed "$RN_STATE/kube-proxy-config.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $RN_STATE/kube-proxy.kubeconfig}
hostnameOverride: $REALNODE
mode: iptables
clusterCIDR: $REALNODE_POD_CIDR
metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT
# Leaves nf_conntrack sysctls alone; node ports on the node IP only (no route_localnet).
conntrack: {maxPerCore: 0}
nodePortAddresses: [primary]
YAML
}

realnode_ready() {
  [ "$(kubectl_node get node "$REALNODE" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

realnode_up() {
  [ -x /usr/lib/cni/bridge ] || die "the CNI plugins are missing (Debian containernetworking-plugins)"
  mkdir -p "$RN_STATE/kubelet" "$RN_STATE/pod-logs"
  realnode_certs
  realnode_pause_image
  realnode_network
  realnode_containerd_config
  realnode_kubelet_config
  realnode_kube_proxy_config

  restart_if_changed realnode-containerd "$(cat "$RN_STATE/containerd/config.toml")"
  local log_lines=0
  [ -f "$LOG_DIR/realnode-containerd.log" ] && log_lines=$(wc -l <"$LOG_DIR/realnode-containerd.log")
  local was_running=0
  is_running realnode-containerd && was_running=1
  start_daemon realnode-containerd /usr/bin/containerd --config "$RN_STATE/containerd/config.toml"
  wait_for "the real node's containerd" 30 ctr --address "$CONTAINERD_SOCK" version
  # containerd answers `ctr` a moment before its CRI service: a kubelet started in between
  # exits ("server is not initialized yet", seen on an `up` after `down`).
  [ "$was_running" = 1 ] ||
    wait_for "the real node's CRI service" 30 realnode_cri_started "$log_lines"
  require_running realnode-containerd

  if ! is_running kubelet && [ ! -s "$RN_STATE/sysctl.orig" ]; then
    local key
    for key in $REALNODE_SYSCTLS; do echo "$key=$(sysctl -n "$key")"; done >"$RN_STATE/sysctl.orig"
  fi
  # cgroupfs driver with a cgroupRoot: it must exist in every v1 hierarchy first.
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    case $hierarchy in */unified/) continue ;; esac
    mkdir -p "$hierarchy${REALNODE_CGROUP_ROOT#/}"
  done
  local kubelet_args=(--config "$RN_STATE/kubelet-config.yaml"
    --kubeconfig "$RN_STATE/kubelet.kubeconfig" --root-dir "$RN_STATE/kubelet"
    --hostname-override "$REALNODE" --node-ip "$REALNODE_IP"
    --node-labels "$REALNODE_LABEL_KEY=$REALNODE_LABEL_VALUE"
    --register-with-taints "$REALNODE_TAINT"
    # cAdvisor's own containerd client: pod and container labels on /metrics/cadvisor.
    --containerd "$CONTAINERD_SOCK" --v 1)
  restart_if_changed kubelet "$KUBE_DIR/kubelet" "${kubelet_args[@]}" "$(cat "$RN_STATE/kubelet-config.yaml")"
  start_daemon kubelet "$KUBE_DIR/kubelet" "${kubelet_args[@]}"

  restart_if_changed kube-proxy "$KUBE_DIR/kube-proxy" "$(cat "$RN_STATE/kube-proxy-config.yaml")"
  start_daemon kube-proxy "$KUBE_DIR/kube-proxy" --config "$RN_STATE/kube-proxy-config.yaml" --v 1
  wait_for "node $REALNODE Ready" 120 realnode_ready
  wait_for "kube-proxy" 60 curl -fsS "http://127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz"
  require_running kubelet
  require_running kube-proxy
}

realnode_status() {
  is_running realnode-containerd && is_running kubelet && is_running kube-proxy && realnode_ready
}

# iptables_sweep IPTABLES: removes every KUBE-* and CNI-* chain and every jump into one
# (the kubelet's, kube-proxy's and the CNI plugins' rules); docker's rules stay.
iptables_sweep() {
  local ipt=$1 table rule chain
  for table in filter nat mangle raw; do
    # A table with no such rule is the usual case: grep's exit 1 must not end `down` (pipefail).
    { "$ipt" -t "$table" -S 2>/dev/null | grep -E -- '-j (KUBE|CNI)-' | grep -vE '^-A (KUBE|CNI)-' || true; } |
      while IFS= read -r rule; do eval "\"$ipt\" -t $table -D ${rule#-A }" 2>/dev/null || true; done
    for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -n -E 's/^-N ((KUBE|CNI)-[^ ]*)$/\1/p'); do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -n -E 's/^-N ((KUBE|CNI)-[^ ]*)$/\1/p'); do
      "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

# containerd logs this line of its own start (after line $1 of its log) once CRI serves.
realnode_cri_started() {
  tail -n +"$(($1 + 1))" "$LOG_DIR/realnode-containerd.log" | grep -q 'Start streaming server'
}

# What a stopped real node would have left on the host; empty after `down`.
realnode_leftovers() {
  local ipt hierarchy
  # (docker's own containers' veths hang off docker0)
  ip -o link show type veth 2>/dev/null | grep -v 'master docker0' | awk -F': ' '{print "veth " $2}'
  ip link show "$REALNODE_BRIDGE" >/dev/null 2>&1 && echo "bridge $REALNODE_BRIDGE"
  ip route show "$SERVICE_CIDR" 2>/dev/null | sed 's/^/route /'
  ip route show type unreachable "$KWOK_POD_CIDR" 2>/dev/null | sed 's/^/route /'
  for ipt in iptables ip6tables; do
    "$ipt"-save 2>/dev/null | grep -E '(KUBE|CNI)-' | sed "s/^/$ipt /"
  done
  awk -v root="$RN_STATE/" 'index($2, root) == 1 {print "mount " $2}' /proc/mounts
  for hierarchy in /sys/fs/cgroup/*/; do
    [ -d "$hierarchy${REALNODE_CGROUP_ROOT#/}" ] && echo "cgroup $hierarchy${REALNODE_CGROUP_ROOT#/}"
  done
  return 0
}

# Leaves no process, veth, bridge, route, iptables rule, mount, cgroup or sysctl behind.
# Pod objects stay in the API: the next `up` starts them again.
realnode_down() {
  stop_daemons kube-proxy kubelet
  if [ -S "$CONTAINERD_SOCK" ] && is_running realnode-containerd; then
    local task
    for task in $(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    sleep 1
  fi
  stop_daemon realnode-containerd
  # Shims outlive containerd; each one's PID is in its task's state directory.
  local pidfile
  for pidfile in "$RN_STATE"/containerd/state/io.containerd.runtime.v2.task/k8s.io/*/shim.pid; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.5
  # Pods' netns, overlay and tmpfs mounts, then the kubelet's bind mount of its root dir:
  # deepest first. A netns unmounted with its last process gone takes its veth with it.
  awk -v root="$RN_STATE/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r |
    while read -r mount; do umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true; done
  [ -x "$KUBE_DIR/kube-proxy" ] && "$KUBE_DIR/kube-proxy" --cleanup >/dev/null 2>&1 || true
  iptables_sweep iptables
  iptables_sweep ip6tables
  ip route del "$SERVICE_CIDR" dev "$REALNODE_BRIDGE" 2>/dev/null || true
  ip route del unreachable "$KWOK_POD_CIDR" 2>/dev/null || true
  ip link del "$REALNODE_BRIDGE" 2>/dev/null || true
  # Pod IPs are free again (their pods are gone with the tasks).
  rm -rf "$RN_STATE/cni/networks"
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [ -d "$hierarchy${REALNODE_CGROUP_ROOT#/}" ] &&
      find "$hierarchy${REALNODE_CGROUP_ROOT#/}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  if [ -s "$RN_STATE/sysctl.orig" ]; then
    local kv
    while IFS= read -r kv; do sysctl -qw "$kv" >/dev/null 2>&1 || true; done <"$RN_STATE/sysctl.orig"
    rm -f "$RN_STATE/sysctl.orig"
  fi
  local left; left=$(realnode_leftovers)
  [ -z "$left" ] || log "WARNING: the real node left behind:
$left"
}
