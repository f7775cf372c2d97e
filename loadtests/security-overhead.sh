#!/usr/bin/env bash
# What authentication and authorization cost on cache-served reads (issue 9). Starts the dev API
# server (in memory, 20 nodes, 2000 pods over ns-0..ns-9, a policy file with a `reader` token
# allowed to read pods in ns-1 only), then two sidecars in front of it: one in the default
# Authenticate mode (TokenReview + SubjectAccessReview, both cached) and one Trusted. wrk then
# reads the same path as `reader` from each and from the dev server directly (which authenticates
# and authorizes itself from the policy). Bounded: 2 rounds x 3 targets x 2 requests x 15 s.
# Usage: bash loadtests/security-overhead.sh   (needs wrk: apt-get install wrk)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build -c Release "$root/src/ApiCache.Sidecar" -v quiet --nologo >/dev/null
dotnet build -c Release "$root/src/ApiCache.DevServer.Host" -v quiet --nologo >/dev/null
ds=$root/src/ApiCache.DevServer.Host/bin/Release/net10.0/ApiCache.DevServer.Host.dll
sc=$root/src/ApiCache.Sidecar/bin/Release/net10.0/ApiCache.Sidecar.dll
cat > "$work/policy.yaml" <<'POLICY'
anonymous: false
users:
  - {name: reader, uid: reader-uid, groups: [readers], tokens: [reader-token]}
  - {name: "system:serviceaccount:kube-system:apicache", tokens: [apicache-token]}
rules:
  - {users: [reader], verbs: [get, list, watch], apiGroups: [""], resources: [pods], namespaces: [ns-1]}
  - {users: ["system:serviceaccount:kube-system:apicache"], verbs: ["*"], apiGroups: ["*"], resources: ["*"]}
POLICY
dotnet "$ds" --urls=http://127.0.0.1:7443 --Logging:LogLevel:Default=Warning --DevServer:Seed:Nodes=20 \
  --DevServer:Seed:Pods=2000 --DevServer:Seed:ConfigMaps=0 --DevServer:Security:PolicyFile="$work/policy.yaml" >"$work/ds.log" 2>&1 &
common=(--ApiCache:Upstream:Servers:0:Url=http://127.0.0.1:7443 --ApiCache:Upstream:Servers:0:BearerToken=apicache-token
  --Logging:LogLevel:Default=Warning --ApiCache:Cache:Resources:0:Resource=pods --ApiCache:Throttling:MaxReadsInFlight=0)
H='Authorization: Bearer reader-token'
for i in $(seq 60); do curl -sf -o /dev/null -H "$H" http://127.0.0.1:7443/api/v1/namespaces/ns-1/pods?limit=1 && break; sleep 1; done
dotnet "$sc" "${common[@]}" --Sidecar:Listen=http://127.0.0.1:7801 >"$work/auth.log" 2>&1 &
dotnet "$sc" "${common[@]}" --Sidecar:Listen=http://127.0.0.1:7802 --ApiCache:Security:Mode=Trusted >"$work/trusted.log" 2>&1 &
for port in 7801 7802; do
  for i in $(seq 60); do curl -sf -o /dev/null -H "$H" "http://127.0.0.1:$port/api/v1/namespaces/ns-1/pods?resourceVersion=0" && break; sleep 1; done
done
name=$(curl -s -H "$H" "http://127.0.0.1:7443/api/v1/namespaces/ns-1/pods?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["metadata"]["name"])')
echo "denied through the proxy: $(curl -s -o /dev/null -w '%{http_code}' -H "$H" "http://127.0.0.1:7801/api/v1/namespaces/ns-2/pods?resourceVersion=0") (expect 403)"
for path in "/api/v1/namespaces/ns-1/pods/$name" "/api/v1/namespaces/ns-1/pods?resourceVersion=0"; do
  for round in 1 2; do
    for port in 7443 7802 7801; do
      echo "== GET $path port $port (7443 direct, 7802 trusted, 7801 authenticate) round $round load $(cut -d' ' -f1-3 /proc/loadavg)"
      wrk -t2 -c16 -d15s --latency -H "$H" "http://127.0.0.1:$port$path" | grep -E "Requests/sec|50%|99%|Non-2xx"
    done
  done
done
curl -s -H "$H" http://127.0.0.1:7801/metrics | grep -E '^apicache_(authentication|token_review|authorization)' || true
