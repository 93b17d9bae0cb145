#!/usr/bin/env bash
# install-deps.sh: install the Debian packages gomailcgi's tests need.
#
#   dovecot-pop3d postfix openssl python3   the test mail stack (scripts/mailstack.sh)
#   chromium w3m fonts-noto-cjk             looking at pages as a person would
#                                           (the Japanese sample, not boxes)
#   nginx lighttpd apache2                  the web servers of the deployment tests
#   podman                                  building the container image (make image)
#                                           and its test; it runs as root, so the
#                                           rootless helpers (uidmap, slirp4netns,
#                                           fuse-overlayfs) are not needed
#
# Quiet and quick when everything is there. As root it installs what is
# missing (apt-get update once, then --no-install-recommends, non-interactive,
# Postfix preseeded to "No configuration" so that it writes no system config).
# The packages' own system services (Apache's too) are kept from starting
# while installing.
# Not root: prints the command to run; exits non-zero only when CI=true.
set -euo pipefail

PKGS="dovecot-pop3d postfix openssl python3 chromium w3m nginx lighttpd apache2 fonts-noto-cjk podman"

installed=" $(dpkg-query -W -f='${Package}=${Status}\n' $PKGS 2>/dev/null |
  sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true)"
missing=""
for p in $PKGS; do
  case "$installed" in *" $p "*) ;; *) missing="$missing $p";; esac
done
missing="${missing# }"
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing Debian packages: $missing" >&2
  echo "install-deps: as root run: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi

echo "install-deps: installing $missing"
# Without a policy-rc.d, postinst scripts would start the system's Dovecot and
# Postfix; put a refusing one in place for the install only, if none exists.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 0755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp /tmp/install-deps.XXXXXX.log)"
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } > "$log" 2>&1; then
  tail -30 "$log" >&2
  echo "install-deps: apt-get failed; full log in $log" >&2
  exit 1
fi
rm -f "$log"
echo "install-deps: installed $missing"
