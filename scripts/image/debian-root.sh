# Sourced by the image scripts: a Debian bookworm minbase root in a folder,
# from the host's own Debian mirror (as its apt sources name it, deb822 or
# one-line form), where no registry image can be pulled.
debian_root() { # target-folder
  local mirror
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n "$mirror" ]] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
  debootstrap --variant=minbase bookworm "$1" "$mirror"
  # The host's CA bundle, so apt and npm inside reach what the host reaches.
  mkdir -p "$1/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"
}
