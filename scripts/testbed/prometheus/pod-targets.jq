# Pods -> Prometheus file_sd targets: the testbed's stand-in for kubernetes_sd_configs, which
# Debian's Prometheus 2.42 is built without. Input: `kubectl get pods -o json` of the real
# node's running pods. A pod is scraped when annotated prometheus.io/scrape: "true", on
# prometheus.io/port (default: its first container port) and prometheus.io/path (/metrics).
# Target labels: every pod label (names sanitised as kubernetes_sd's labelmap does), then
# namespace, pod, node, deployment (its ReplicaSet's name less the template hash) and track
# (Gantry's gantry.dev/track, "stable" when absent).
[
  .items[]
  | select(.status.podIP and ((.metadata.annotations // {})["prometheus.io/scrape"] == "true"))
  | .metadata as $m
  | ($m.annotations // {}) as $a
  | ($m.labels // {}) as $l
  | (($m.ownerReferences // []) | map(select(.kind == "ReplicaSet")) | .[0].name // "") as $rs
  | ($l["pod-template-hash"] // "") as $hash
  | ($a["prometheus.io/port"] // ((.spec.containers[0].ports // [])[0].containerPort // 8080 | tostring)) as $port
  | {
      targets: ["\(.status.podIP):\($port)"],
      labels: (
        ($l | with_entries(.key |= gsub("[^a-zA-Z0-9_]"; "_")))
        + {
            __metrics_path__: ($a["prometheus.io/path"] // "/metrics"),
            namespace: $m.namespace,
            pod: $m.name,
            node: .spec.nodeName,
            deployment: (if $hash != "" then ($rs | sub("-\($hash)$"; "")) else $rs end),
            track: ($l["gantry.dev/track"] // "stable")
          }
      )
    }
]
