#!/usr/bin/env bash
# image.sh: build the gomailcgi container image with podman (Containerfile).
#
#   IMAGE    the image's name (gomailcgi)
#   PODMAN   the podman command, with any global flags (podman); the tests
#            give it --root and --runroot of their own
#   GO       the go command (go)
#
# The build context is a fresh temporary folder whose rootfs/ is the image's
# whole file system: the static binary, the host's CA bundle
# (ca-certificates), /etc/passwd and /etc/group for the user gomailcgi
# (10001), and the demo mailbox (testdata/*.eml). It is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${IMAGE:-gomailcgi}"
PODMAN="${PODMAN:-podman}"
GO="${GO:-go}"
CA=/etc/ssl/certs/ca-certificates.crt

command -v "${PODMAN%% *}" >/dev/null || { echo "image: podman is missing; scripts/install-deps.sh installs it" >&2; exit 1; }
[ -s "$CA" ] || { echo "image: $CA is missing; apt-get install ca-certificates" >&2; exit 1; }

ctx="$(mktemp -d "${TMPDIR:-/tmp}/gomailcgi-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/etc/ssl/certs" "$root/usr/share/gomailcgi/demo"
CGO_ENABLED=0 "$GO" build -trimpath -ldflags='-s -w' -o "$root/gomailcgi" ./cmd/gomailcgi
cp "$CA" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/:/nonexistent\ngomailcgi:x:10001:10001:gomailcgi:/nonexistent:/nonexistent\n' > "$root/etc/passwd"
printf 'root:x:0:\ngomailcgi:x:10001:\n' > "$root/etc/group"
cp testdata/*.eml "$root/usr/share/gomailcgi/demo/"
chmod -R u=rwX,go=rX "$root"
# docker format: the OCI format has no HEALTHCHECK, and podman drops it.
$PODMAN build --format docker --network none --file Containerfile --tag "$IMAGE" "$ctx"
