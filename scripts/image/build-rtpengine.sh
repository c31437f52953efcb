#!/usr/bin/env bash
# npm run image:rtpengine: rtpengine's image, localhost/calls-rtpengine:latest,
# built with podman from images/rtpengine/Containerfile on a
# debian:bookworm-slim built here (debian-root.sh) where no registry image
# can be pulled, with the same podman settings as the service's image.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=debian-root.sh
source scripts/image/debian-root.sh

PODMAN=(podman --runtime runc)
BASE="localhost/debian:bookworm-slim"
if ! "${PODMAN[@]}" image exists "$BASE" || [[ "${REBUILD_BASE:-}" == 1 ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  debian_root "$work/root"
  rm -rf "$work"/root/var/cache/apt/archives/*.deb "$work"/root/var/lib/apt/lists/*
  tar -C "$work/root" -c . | "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$BASE"
fi
"${PODMAN[@]}" build --network host \
  --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
  --pull=never -f images/rtpengine/Containerfile -t localhost/calls-rtpengine:latest images/rtpengine
