#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis, on a fresh Emulator Suite,
# with a real admin ID token, and prints the number of requests tried and of 5xx answers.
#
#   tools/fuzz/run.sh [--max-examples 50] [--seed 1] [--max-time 600]
#
# Prerequisites: Python 3.9+ (schemathesis is installed from PyPI into .cache/fuzz-venv, pinned),
# `npm run build -w functions`. Exit status: 0 when no request got a 5xx, 1 otherwise.
# Outside the emulators it starts them (serialised on /tmp/threatstream-emulators.lock, the
# lock every emulator run on a shared machine takes) and runs itself inside.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SCHEMATHESIS_VERSION=4.32.5
VENV="$ROOT/.cache/fuzz-venv"
REPORT_DIR="$ROOT/.cache/fuzz-report"

if [[ -z "${FIRESTORE_EMULATOR_HOST:-}" ]]; then
  if [[ ! -x "$VENV/bin/st" ]] || [[ "$("$VENV/bin/st" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  exec flock /tmp/threatstream-emulators.lock node tools/emulators.mjs exec "bash tools/fuzz/run.sh $*"
fi

MAX_EXAMPLES=50
SEED=1
MAX_TIME=600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --max-examples) MAX_EXAMPLES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --max-time) MAX_TIME="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# A real admin: the demo users (tools/users.mjs), signed in on the Auth emulator.
node tools/users.mjs demo >/dev/null
TOKEN="$(curl -sf -H 'content-type: application/json' \
  -d '{"email":"admin@threatstream.test","password":"threatstream-admin","returnSecureToken":true}' \
  "http://${FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fuzz" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).idToken))')"

rm -rf "$REPORT_DIR"
set +e
# schemathesis keeps its replay data in ./.schemathesis: keep it under .cache, out of the tree.
cd "$ROOT/.cache"
"$VENV/bin/st" run "http://127.0.0.1:5000/api/openapi.json" \
  --url http://127.0.0.1:5000 \
  --header "Authorization: Bearer $TOKEN" \
  --checks all \
  --phases examples,coverage,fuzzing \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --max-time "$MAX_TIME" \
  --workers 2 \
  --request-timeout 30 \
  --continue-on-failure \
  --suppress-health-check all \
  --report har --report-dir "$REPORT_DIR" \
  --output-truncate true > "$REPORT_DIR.log" 2>&1
ST_STATUS=$?
set -e
cd "$ROOT"
tail -n 40 "$REPORT_DIR.log"
echo "(full schemathesis output: $REPORT_DIR.log; every request and response: $REPORT_DIR/*.har)"
echo "schemathesis exited $ST_STATUS (non-zero also for non-5xx findings, listed above)"
node tools/fuzz/summarize.mjs "$REPORT_DIR"
