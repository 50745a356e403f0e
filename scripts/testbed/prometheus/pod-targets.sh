#!/usr/bin/env bash
# Keeps Prometheus's file_sd target file in step with the real node's pods (see
# pod-targets.jq). Run by the testbed as a daemon: pod-targets.sh KUBECTL KUBECONFIG NODE OUT.
set -uo pipefail
kubectl=$1 kubeconfig=$2 node=$3 out=$4
filter=$(dirname "$0")/pod-targets.jq
while :; do
  if "$kubectl" --kubeconfig "$kubeconfig" get pods --all-namespaces --request-timeout 5s \
      --field-selector "spec.nodeName=$node,status.phase=Running" -o json 2>/dev/null |
      jq -c -f "$filter" >"$out.tmp" 2>/dev/null; then
    # Only a change is written, so Prometheus re-reads the file only then.
    cmp -s "$out.tmp" "$out" || mv -f "$out.tmp" "$out"
  fi
  sleep 2
done
