# Sourced by the scripts that need a running host: starts `$BIN serve` on a temporary store and a
# free port, serving TH and LA with the plugins in $PLUGINS, and waits until it is ready.
# Sets WORK (the folder), PORT, SERVER (the pid) and CONFIG; when the script exits, stops the server and
# removes the folder.
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
CONFIG=$WORK/glo-host.yaml
cat > "$CONFIG" <<YAML
db: $WORK/glo.sqlite
key_file: $WORK/personal-data.key
rules: $ROOT/Config/jurisdictions
jurisdictions: [TH, LA]
plugins: [$PLUGINS]
http: { address: 127.0.0.1, port: $PORT }
log_level: warning
YAML
# From the folder: a key the settings name by a relative default (the audit signing key) is made there.
(cd "$WORK" && exec "$BIN" serve --config "$CONFIG") > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 150); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=2)" 2>/dev/null && break
  sleep 0.2
done
