#!/usr/bin/env bash
# npm run image: the service's image, localhost/calls-service:latest, built
# with podman from the Dockerfile on a base built here (build-base.sh). On
# these machines podman needs runc (the kernel mounts cgroups v1, which crun
# refuses), open-files and process limits under the machine's hard limits,
# and the host's network.
set -euo pipefail
cd "$(dirname "$0")/../.."

"$(dirname "$0")/build-base.sh"
podman --runtime runc build --network host \
  --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
  --pull=never -t localhost/calls-service:latest .
