#!/usr/bin/env bash
# Upload benchmark: what a large multipart upload costs the relay. relaydeskd serve (no demo) relays
# /v1/audio/transcriptions to relaydesk-fakeupstream (its own process, so the relay's memory is the relay's
# alone); a WAV of SIZE_MB is uploaded with curl -F, once and then CONCURRENT at a time. Reports the wall time of
# each upload and the relay's peak RSS (VmHWM) before and after, i.e. how many bytes of memory one upload costs
# next to the file's own size (the body is held once: MultipartForm parts are offsets into it and the upstream
# request is sent as views into it).
#
#   bench/upload/run_upload_bench.sh <build>/bin      env: SIZE_MB=24 CONCURRENT=5
set -euo pipefail
BIN=${1:?usage: run_upload_bench.sh <build>/bin}
SIZE_MB=${SIZE_MB:-24}
CONCURRENT=${CONCURRENT:-5}
TMP=$(mktemp -d /tmp/relaydesk-upload.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

UP=$(free_port)
RELAY=$(free_port)
"$BIN/relaydesk-fakeupstream" --port "$UP" >"$TMP/upstream.log" 2>&1 &
PIDS+=($!)
"$BIN/relaydeskd" admin user add bench --quota 500000000000 --data "$TMP/d" >/dev/null
KEY=$("$BIN/relaydeskd" admin key add --user bench --unlimited --data "$TMP/d" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
"$BIN/relaydeskd" admin channel add --name up --base-url "http://127.0.0.1:$UP" --key x --models whisper-1 \
    --data "$TMP/d" >/dev/null
"$BIN/relaydeskd" serve --data "$TMP/d" --listen "127.0.0.1:$RELAY" --max-upload-mb $((SIZE_MB + 1)) \
    >"$TMP/serve.log" 2>&1 &
SERVE=$!
PIDS+=($SERVE)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$RELAY/healthz" >/dev/null && break; sleep 0.05; done

python3 - "$TMP/big.wav" "$SIZE_MB" <<'PY'
import struct, sys
path, mb = sys.argv[1], int(sys.argv[2])
n = mb * 1000 * 1000 // 2  # 16-bit mono samples at 24 kHz
hdr = b'RIFF' + struct.pack('<I', 36 + n * 2) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 1, 24000, 48000, 2, 16) \
      + b'data' + struct.pack('<I', n * 2)
open(path, 'wb').write(hdr + bytes(n * 2))
PY
upload() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$RELAY/v1/audio/transcriptions" \
       -H "Authorization: Bearer $KEY" -F file=@"$TMP/big.wav" -F model=whisper-1
}
BASE=$(hwm $SERVE)
echo "file: $(stat -c %s "$TMP/big.wav") bytes; relay peak RSS at rest: ${BASE} kB"
echo "one upload (status, seconds): $(upload)"
ONE=$(hwm $SERVE)
echo "relay peak RSS after one upload: ${ONE} kB (+$(( (ONE - BASE) / 1024 )) MB)"
UPLOADS=()
for _ in $(seq 1 "$CONCURRENT"); do upload & UPLOADS+=($!); done
wait "${UPLOADS[@]}"
MANY=$(hwm $SERVE)
echo "relay peak RSS after $CONCURRENT at once: ${MANY} kB (+$(( (MANY - BASE) / 1024 )) MB over rest)"
