#!/usr/bin/env bash
# Starts rtpengine (Debian's rtpengine-daemon) in userspace mode on loopback,
# for the media gateway's tests and for trying the gateway on one machine
# (docs/media.md). Idempotent: if something already answers on the ng port,
# it is left alone.
#
#   RTPENGINE_NG          ng control address, UDP and TCP (default 127.0.0.1:22222);
#                         its HTTP listener (ng over HTTP, for prompt files) is on the next port
#   RTPENGINE_PORT_MIN    first RTP port of its own range (default 30000)
#   RTPENGINE_PORT_MAX    last RTP port (default 30999)
#   RTPENGINE_INTERFACE   address it relays media on (default 127.0.0.1)
set -euo pipefail

ng=${RTPENGINE_NG:-127.0.0.1:22222}
host=${ng%:*}
port=${ng##*:}
port_min=${RTPENGINE_PORT_MIN:-30000}
port_max=${RTPENGINE_PORT_MAX:-30999}
interface=${RTPENGINE_INTERFACE:-127.0.0.1}
run_dir=${RTPENGINE_RUN_DIR:-/tmp/rtpengine-$port}

if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  echo "rtpengine already answers on $ng"
  exit 0
fi
command -v rtpengine >/dev/null 2>&1 || {
  echo "rtpengine is not installed: apt-get install --no-install-recommends rtpengine-daemon" >&2
  exit 1
}
mkdir -p "$run_dir"
# --config-file=none: the package's /etc/rtpengine/rtpengine.conf would add its
# CLI and HTTP listeners on fixed ports. --table=-1: no kernel module,
# userspace forwarding. --listen-tcp-ng: the gateway's control commands;
# --listen-http: its play media, whose prompt file is larger than TCP ng
# takes. --delete-delay=0: a deleted call is gone at once.
rtpengine --config-file=none --table=-1 --interface="$interface" \
  --listen-ng="$ng" --listen-tcp-ng="$ng" --listen-http="$host:$((port + 1))" \
  --port-min="$port_min" --port-max="$port_max" --delete-delay=0 \
  --pidfile="$run_dir/rtpengine.pid" --log-stderr --log-level=5 2>>"$run_dir/rtpengine.log"

for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "rtpengine answers on $ng, HTTP on $host:$((port + 1)) (RTP ports $port_min-$port_max on $interface; log $run_dir/rtpengine.log)"
    exit 0
  fi
  sleep 0.1
done
echo "rtpengine did not answer on $ng; see $run_dir/rtpengine.log" >&2
exit 1
