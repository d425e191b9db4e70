#!/usr/bin/env bash
# Makes a Docker engine and jobrun's test images available without any
# registry: installs Debian's docker.io and busybox-static, starts dockerd
# when no engine answers, and builds the images with `docker import`.
#
#   jobrun-test/busybox:latest   busybox-static and its applet links (sh only)
#   jobrun-test/bash:latest      the same plus the host's bash and its libraries
#
# Exits non-zero when an engine cannot be had; scripts/test.sh decides
# whether that fails the run (it does when CI=true).
set -euo pipefail

log() { echo "docker-setup: $*" >&2; }

install_packages() {
  local missing=()
  for p in docker.io busybox-static; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "missing Debian packages: ${missing[*]} (apt-get install them)"
    return 1
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_engine() {
  engine_up && return 0
  if [ -n "${DOCKER_HOST:-}" ]; then
    log "DOCKER_HOST=$DOCKER_HOST does not answer"
    return 1
  fi
  command -v dockerd >/dev/null || { log "dockerd not found"; return 1; }
  log "starting dockerd (log: /tmp/jobrun-dockerd.log)"
  nohup dockerd >/tmp/jobrun-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    engine_up && return 0
    sleep 0.5
  done
  log "dockerd did not come up; last lines of its log:"
  tail -n 20 /tmp/jobrun-dockerd.log >&2 || true
  return 1
}

# rootfs DIR: a minimal root file system with busybox and its applets.
busybox_rootfs() {
  local root=$1 bb
  bb=$(command -v busybox)
  mkdir -p "$root"/{bin,tmp,etc,root,builds}
  chmod 1777 "$root/tmp"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

import_image() {
  local name=$1 root=$2
  tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'CMD ["/bin/sh"]' - "$name" >/dev/null
  log "built $name"
}

build_images() {
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  if ! docker image inspect jobrun-test/busybox:latest >/dev/null 2>&1; then
    busybox_rootfs "$work/busybox"
    import_image jobrun-test/busybox:latest "$work/busybox"
  fi
  if ! docker image inspect jobrun-test/bash:latest >/dev/null 2>&1; then
    busybox_rootfs "$work/bash"
    mkdir -p "$work/bash/usr/bin"
    cp "$(command -v bash)" "$work/bash/usr/bin/bash"
    # bash's shared libraries, at the same paths.
    ldd "$(command -v bash)" | grep -o '/[^ ]*' | while read -r lib; do
      mkdir -p "$work/bash$(dirname "$lib")"
      cp -L "$lib" "$work/bash$lib"
    done
    import_image jobrun-test/bash:latest "$work/bash"
  fi
}

install_packages
start_engine
build_images
log "ok ($(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}'))"
