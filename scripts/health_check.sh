#!/usr/bin/env bash
# Health check of a running Analytics Hub, as the runbook uses it:
#
#   scripts/health_check.sh [BASE_URL]        # default http://localhost:8501
#
# Checks that the app answers, that /healthz reports "healthy" (naming the failing checks if
# not), and that the Diagnostics page, built the way the browser builds it, says
# "System healthy". Also reports whether /metrics is served to this machine (set
# METRICS_TOKEN to send the bearer token). Exit code 0 when healthy, 1 otherwise.
set -u

BASE_URL=${1:-"http://localhost:8501"}
BASE_URL=${BASE_URL%/}
TIMEOUT=${TIMEOUT:-10}
status=0

if curl -fsS --max-time "$TIMEOUT" -o /dev/null "$BASE_URL/"; then
    echo "✅ Application responding at $BASE_URL"
else
    echo "❌ Application not responding at $BASE_URL"
    exit 1
fi

health=$(curl -sS --max-time "$TIMEOUT" -w '\n%{http_code}' "$BASE_URL/healthz")
code=${health##*$'\n'}
if [ "$code" = "200" ] && grep -q '"status": *"healthy"' <<<"$health"; then
    echo "✅ /healthz: healthy"
else
    failing=$(grep -o '"failing": *\[[^]]*\]' <<<"$health" | sed 's/"failing": *//')
    echo "❌ /healthz answered $code: failing ${failing:-(no JSON answer)}"
    status=1
fi

# The Diagnostics page is built in the browser: ask the server for it as the browser does.
request='{"output":"..page-content.children...page-title.data..",'
request+='"outputs":[{"id":"page-content","property":"children"},{"id":"page-title","property":"data"}],'
request+='"inputs":[{"id":"url","property":"pathname","value":"/Diagnostics"}],'
request+='"changedPropIds":["url.pathname"],"state":[{"id":"url","property":"search","value":""}]}'
page=$(curl -sS --max-time "$TIMEOUT" -H "Content-Type: application/json" -d "$request" -w '\n%{http_code}' \
        "$BASE_URL/_dash-update-component")
if [ "${page##*$'\n'}" = "401" ]; then
    echo "ℹ️ Diagnostics page needs an ops sign-in (authentication is on); /healthz above runs the same checks"
elif grep -q "System healthy" <<<"$page"; then
    echo "✅ Diagnostics page: System healthy"
else
    echo "❌ Diagnostics page does not say System healthy: open $BASE_URL/Diagnostics"
    status=1
fi

auth=()
if [ -n "${METRICS_TOKEN:-}" ]; then
    auth=(-H "Authorization: Bearer $METRICS_TOKEN")
fi
metrics=$(curl -sS --max-time "$TIMEOUT" -o /dev/null -w '%{http_code}' "${auth[@]}" "$BASE_URL/metrics")
if [ "$metrics" = "200" ]; then
    echo "✅ /metrics served"
else
    echo "ℹ️ /metrics answered $metrics: it is served with METRICS_TOKEN (and to loopback addresses where METRICS_ALLOW_LOOPBACK)"
fi

echo "Health check complete"
exit $status
