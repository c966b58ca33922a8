#!/usr/bin/env bash
# Schemathesis against the hub's own /openapi.json, served by a real uvicorn on SQLite
# with the demo data: no answer may be a 5xx, and every answer must be one the document
# declares (status, content type, body schema, headers); auth must be enforced and
# input the document rules out refused. Two passes: one over every operation, one with
# source/entity type pinned to names that exist, so the fuzzed records reach ingest; then
# revoking and rotating keys, which may take the fuzzer's own key with them.
#
#   bash scripts/fuzz-api.sh                       # about 3 minutes
#   FUZZ_EXAMPLES=300 FUZZ_SEED=7 bash scripts/fuzz-api.sh
#   FUZZ_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/fuzz bash scripts/fuzz-api.sh
#     (an existing, preferably empty, database: migrated here; no demo data there)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${BIN:-.venv/bin}"
EXAMPLES="${FUZZ_EXAMPLES:-60}"
SEED="${FUZZ_SEED:-12}"
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance"
CHECKS="$CHECKS,response_schema_conformance,response_headers_conformance"
CHECKS="$CHECKS,negative_data_rejection,ignored_auth"

work="$(mktemp -d)"
port="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
key="mdm_fuzz_$("$BIN/python" -c 'import secrets; print(secrets.token_hex(16))')"
base="http://127.0.0.1:$port"

database="${FUZZ_DATABASE_URL:-sqlite:///$work/mdm.db}"
if [ -n "${FUZZ_DATABASE_URL:-}" ]; then MDM_DATABASE_URL="$database" "$BIN/mdm" migrate; fi
MDM_DATABASE_URL="$database" MDM_ADMIN_API_KEY="$key" \
  "$BIN/mdm" serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

for _ in $(seq 100); do
  if "$BIN/python" -c "import httpx, sys; sys.exit(httpx.get('$base/health/ready').status_code != 200)" 2>/dev/null; then
    break
  fi
  sleep 0.3
done

fuzz() {
  "$BIN/schemathesis" "$@" "$base/openapi.json" \
    --header "Authorization: Bearer $key" --checks "$CHECKS" \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 --output-truncate true
}

# Revoking or rotating a key may hit the fuzzer's own (it takes key ids from the answers of
# GET /api/v1/keys), and every answer after that is a 401: those two run last, on their own.
keys_last=(--exclude-operation-id revoke --exclude-operation-id rotate)
status=0
echo "== schemathesis: every operation =="
fuzz --config-file .ci/schemathesis.toml run "${keys_last[@]}" || status=1
echo "== schemathesis: records of a known source and entity type =="
fuzz --config-file .ci/schemathesis-pinned.toml run "${keys_last[@]}" || status=1
echo "== schemathesis: revoking and rotating keys =="
fuzz --config-file .ci/schemathesis.toml run --include-operation-id revoke \
  --include-operation-id rotate || status=1
if [ "$status" -ne 0 ]; then
  echo "== the server's log (tracebacks of any 5xx) =="
  grep -v '^INFO' "$work/serve.log" | tail -n 200 || true
fi
exit "$status"
