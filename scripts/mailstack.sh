#!/usr/bin/env bash
# mailstack.sh: gomailcgi's throw-away *real* mail stack for tests, on 127.0.0.1.
#
#   Dovecot   POP3 (+STLS), POP3S; passwd-file users; Maildirs; SASL socket;
#             two mail domains, each with a user database and Maildirs of its
#             own: a user of the second logs in as USER@DOMAIN2 only
#   Postfix   its own instance (postfix -c DIR, own queue): SMTP, and submission
#             with STARTTLS + AUTH required; mail for both domains is delivered
#             by virtual(8) straight into the Maildirs; nothing is relayed anywhere
#   nouidl    a POP3 relay in front of Dovecot that hides UIDL (plain+STLS, TLS)
#
# Usage: scripts/mailstack.sh COMMAND
#   start            start whatever is not running yet (idempotent)
#   stop             stop only what start started (pid files); keep the state
#   status           one line per part; exit 1 unless all are up
# USER is a name of the first domain (alice), or NAME@DOMAIN2 of the second.
#   fill USER N      replace USER's inbox with N generated messages: POP number
#                    i has Subject "Test message i of N" (see mailstack/fill.py)
#   clear USER       empty USER's inbox
#   put USER FILE    add FILE, byte for byte, as USER's newest message
#   adduser USER PASS  add or change a user (log in as USER or USER@DOMAIN);
#                    returns once Dovecot accepts the login and Postfix the
#                    mailbox (both servers running)
#   drain [SECS]     wait until Postfix has delivered everything (SMTP "250"
#                    only means queued; delivery is asynchronous)
#   env              print shell exports; the same facts are in $STATE/env.json
#   selftest         end-to-end check with Python's poplib/smtplib
#
# Environment (read by start; later commands use what start recorded):
#   MAILSTACK_DIR (/tmp/gomailcgi-mailstack)   MAILSTACK_DOMAIN (example.test)
#   MAILSTACK_DOMAIN2 (second.test)   MAILSTACK_USERS2 ("alice:other")
#   MAILSTACK_POP3_PORT (21110)  MAILSTACK_POP3S_PORT (21995)
#   MAILSTACK_POP3_NOUIDL_PORT (21111)  MAILSTACK_POP3S_NOUIDL_PORT (21996)
#   MAILSTACK_SMTP_PORT (22525)  MAILSTACK_SUBMISSION_PORT (22587)
#   MAILSTACK_PORTS=auto: every port not given above is one that is free now,
#     picked from 20000..31999 (below the kernel's ephemeral range); several
#     stacks, each in its own MAILSTACK_DIR, then run side by side
#   MAILSTACK_USERS ("alice:secret bob:secret")
#   MAILSTACK_AUTH_FAILURE_DELAY (1; seconds Dovecot waits after a bad login)
# TLS: a throw-away CA signs a server cert for localhost, 127.0.0.1 and
# mail.DOMAIN; trust $STATE/tls/ca.crt. Go tests: internal/testing/mailstack.
# Needs root and the packages scripts/install-deps.sh installs. Nothing under
# /etc/dovecot or /etc/postfix is read or changed; no system service is touched.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
LIB="$HERE/mailstack"
D="${MAILSTACK_DIR:-/tmp/gomailcgi-mailstack}"
case "$D" in /*) ;; *) echo "mailstack: MAILSTACK_DIR must be an absolute path" >&2; exit 2;; esac
case "$D" in *[!A-Za-z0-9._/-]*) echo "mailstack: MAILSTACK_DIR may hold only [A-Za-z0-9._/-]" >&2; exit 2;; esac

TLS="$D/tls"; DV="$D/dovecot"; DVCONF="$DV/dovecot.conf"; DVRUN="$DV/run"
USERS_DIR="$DV/users"; USERS2_DIR="$DV/users2"; PF="$D/postfix"; PFETC="$PF/etc"; PFQ="$PF/spool"
MAIL="$D/mail"; MAIL2="$D/mail/.domain2"; PX="$D/proxy"
PY="$(command -v /usr/bin/python3 || command -v python3 || true)"

say() { echo "mailstack: $*"; }
die() { echo "mailstack: $*" >&2; exit 1; }

load_settings() { # what start recorded wins over the caller's environment
  POP3_PORT="${MAILSTACK_POP3_PORT:-}"; POP3S_PORT="${MAILSTACK_POP3S_PORT:-}"
  NOUIDL_PORT="${MAILSTACK_POP3_NOUIDL_PORT:-}"; NOUIDLS_PORT="${MAILSTACK_POP3S_NOUIDL_PORT:-}"
  SMTP_PORT="${MAILSTACK_SMTP_PORT:-}"; SUB_PORT="${MAILSTACK_SUBMISSION_PORT:-}"
  if [ "${1:-}" = fresh ] && [ "${MAILSTACK_PORTS:-}" = auto ]; then
    PICKED=" $(all_ports) "
    local v; for v in POP3_PORT POP3S_PORT NOUIDL_PORT NOUIDLS_PORT SMTP_PORT SUB_PORT; do
      [ -n "${!v}" ] || pick_port "$v"
    done
  fi
  : "${POP3_PORT:=21110}" "${POP3S_PORT:=21995}" "${NOUIDL_PORT:=21111}" "${NOUIDLS_PORT:=21996}"
  : "${SMTP_PORT:=22525}" "${SUB_PORT:=22587}"
  DOMAIN="${MAILSTACK_DOMAIN:-example.test}"; USERS="${MAILSTACK_USERS:-alice:secret bob:secret}"
  DOMAIN2="${MAILSTACK_DOMAIN2:-second.test}"; USERS2="${MAILSTACK_USERS2:-alice:other}"
  AUTH_DELAY="${MAILSTACK_AUTH_FAILURE_DELAY:-1}"
  MUID="$(id -u nobody)"; MGID="$(id -g nobody)"
  if [ "${1:-}" != fresh ] && [ -f "$D/settings" ]; then . "$D/settings"; fi
}
settings() {
  echo "POP3_PORT=$POP3_PORT POP3S_PORT=$POP3S_PORT NOUIDL_PORT=$NOUIDL_PORT NOUIDLS_PORT=$NOUIDLS_PORT"
  echo "SMTP_PORT=$SMTP_PORT SUB_PORT=$SUB_PORT DOMAIN=$DOMAIN DOMAIN2=$DOMAIN2 AUTH_DELAY=$AUTH_DELAY"
}
all_ports() { echo "$POP3_PORT $POP3S_PORT $NOUIDL_PORT $NOUIDLS_PORT $SMTP_PORT $SUB_PORT"; }
pick_port() { # VAR: set VAR to a port nothing listens on that is not PICKED yet
  local p i
  for ((i = 0; i < 500; i++)); do
    p=$((20000 + RANDOM % 12000))
    case "$PICKED" in *" $p "*) continue;; esac
    listening "$p" && continue
    PICKED="$PICKED$p "; printf -v "$1" %s "$p"; return 0
  done
  die "no free port found in 20000..31999"
}

# ---------------------------------------------------------------- processes
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
cmdline_has() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2"; }
# A killed child can stay a zombie until PID 1 reaps it: that counts as gone.
alive() { local s; s="$(sed -n 's/^.*) \(.\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null)"; [ -n "$s" ] && [ "$s" != Z ]; }
pidfile_pid() { [ -f "$1" ] && tr -dc 0-9 < "$1" || true; }

dovecot_pid() { local p; p="$(pidfile_pid "$DVRUN/master.pid")"; [ -n "$p" ] && cmdline_has "$p" "$DVCONF" && echo "$p" || true; }
proxy_pid() { local p; p="$(pidfile_pid "$PX/proxy.pid")"; [ -n "$p" ] && cmdline_has "$p" "pop3_nouidl.py" && cmdline_has "$p" " $D " && echo "$p" || true; }
postfix_pid() { # Postfix's master hides -c: match its binary and MAIL_CONFIG
  local p; p="$(pidfile_pid "$PFQ/pid/master.pid")"
  [ -n "$p" ] && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = /usr/lib/postfix/sbin/master ] &&
    tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qxF "MAIL_CONFIG=$PFETC" && echo "$p" || true
}

wait_for() { # TRIES CMD...: run CMD every 50 ms until it succeeds
  local n="$1"; shift
  while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.05; n=$((n - 1)); done
  return 1
}
wait_secs() { # SECS CMD...: run CMD every 50 ms until it succeeds, for SECS at most
  local end=$((SECONDS + $1)); shift
  until "$@" > /dev/null 2>&1; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.05; done
}
ports_up() { local p; for p in "$@"; do listening "$p" || return 1; done; }
ports_down() { local p; for p in "$@"; do ! listening "$p" || return 1; done; }
gone() { local pid="$1"; shift; ! alive "$pid" && ports_down "$@"; }
# start, stop and adduser rewrite shared files: one at a time (fd 9; the
# servers are started with 9>&- so they do not keep holding the lock)
lock() { mkdir -p "$D"; exec 9> "$D/.lock"; flock -w 120 9 || die "timed out waiting for $D/.lock"; }
ports_free() { local p; for p in "$@"; do ! listening "$p" || die "127.0.0.1:$p is taken by another process (ss -ltnp)"; done; }

# ---------------------------------------------------------------- files
# Postfix waits until a map or main.cf is ~2 s old before reading it (it must
# not read half-written files); back-date ours, which are complete when moved.
# Sets PF_CHANGED=1 when the file changed.
put_pf_file() {
  if [ -f "$1" ] && cmp -s "$1.new" "$1"; then rm -f "$1.new"; return; fi
  chmod 0644 "$1.new"; touch -d "@$(( $(date +%s) - 10 ))" "$1.new"; mv -f "$1.new" "$1"
  PF_CHANGED=1
}

make_tls() {
  if [ -s "$TLS/ca.crt" ] && [ -s "$TLS/server.key" ] &&
     openssl x509 -in "$TLS/server.crt" -noout -checkend 86400 >/dev/null 2>&1 &&
     openssl x509 -in "$TLS/server.crt" -noout -ext subjectAltName 2>/dev/null | grep -qF "mail.$DOMAIN"; then
    return
  fi
  local t; t="$(mktemp -d "$D/.tls.XXXXXX")"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=gomailcgi mailstack test CA" -keyout "$t/ca.key" -out "$t/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=mail.$DOMAIN" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "extendedKeyUsage=serverAuth" \
    "keyUsage=critical,digitalSignature" \
    "subjectAltName=DNS:localhost,DNS:mail.$DOMAIN,IP:127.0.0.1" > "$t/ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
    -days 825 -extfile "$t/ext" -out "$t/server.crt" 2>/dev/null
  chmod 0600 "$t"/*.key; chmod 0644 "$t"/*.crt
  mkdir -p "$TLS"; mv -f "$t"/ca.key "$t"/ca.crt "$t"/server.key "$t"/server.crt "$TLS/"; rm -rf "$t"
}

valid_user() { case "$1" in ''|.*|*[!A-Za-z0-9._-]*) die "bad user name '$1' (letters, digits, . _ -)";; esac; }
user_at() { # USER: its local name UN, domain UDOM, passwd-file dir UDIR, Maildir
  # UMAIL (and its path in Postfix's map, UVM), Dovecot index UIDX and control UCTL
  case "$1" in
    *@"$DOMAIN2") UN="${1%@*}"; UDOM="$DOMAIN2"; UDIR="$USERS2_DIR"; UMAIL="$MAIL2/$UN"
      UVM=".domain2/$UN/"; UIDX="$DV/index2/$UN"; UCTL="$DV/control2/$UN";;
    *) UN="$1"; UDOM="$DOMAIN"; UDIR="$USERS_DIR"; UMAIL="$MAIL/$UN"
      UVM="$UN/"; UIDX="$DV/index/$UN"; UCTL="$DV/control/$UN";;
  esac
  valid_user "$UN"
}
set_user() { # USER PASS: Dovecot passwd-file, Postfix mailbox map, Maildir
  user_at "$1"
  case "$2" in ''|*[!!-~]*|*[:\"\\]*) die "password must be printable ASCII without spaces, ':', '\"' or '\\'";; esac
  # One passwd-file per user: Dovecot reads a new user's file at its first
  # login. A changed file is re-read when its mtime or size changed, checked
  # at most once a second, so the new file gets an mtime past the old one's.
  local f="$UDIR/$UN" now old
  touch "$PFETC/vmailbox"
  mkdir -p "$UDIR"; chmod 0750 "$UDIR"; chgrp dovecot "$UDIR"
  echo "$UN:{PLAIN}$2" > "$f.new"
  if ! cmp -s "$f.new" "$f"; then
    now="$(date +%s)"; old="$(stat -c %Y "$f" 2>/dev/null || echo 0)"
    chmod 0640 "$f.new"; chgrp dovecot "$f.new"; touch -d "@$(( now > old ? now : old + 1 ))" "$f.new"
    mv -f "$f.new" "$f"
  fi
  rm -f "$f.new"
  { grep -v "^$UN@$UDOM " "$PFETC/vmailbox" || true; echo "$UN@$UDOM $UVM"; } > "$PFETC/vmailbox.new"
  put_pf_file "$PFETC/vmailbox"
  mkdir -p "$UMAIL"/{cur,new,tmp}; chown -R "$MUID:$MGID" "$UMAIL"
}

write_env_json() { # the facts Go tests need (internal/testing/mailstack reads this)
  local users="" u p f
  for f in "$USERS_DIR"/*; do
    [ -f "$f" ] || continue
    IFS=: read -r u p < "$f"
    users="$users${users:+, }\"$u\": \"${p#\{PLAIN\}}\""
  done
  for f in "$USERS2_DIR"/*; do
    [ -f "$f" ] || continue
    IFS=: read -r u p < "$f"
    users="$users${users:+, }\"$u@$DOMAIN2\": \"${p#\{PLAIN\}}\""
  done
  cat > "$D/env.json.new" <<EOF
{
  "dir": "$D",
  "domain": "$DOMAIN",
  "domain2": "$DOMAIN2",
  "ca_file": "$TLS/ca.crt",
  "tls_server_name": "mail.$DOMAIN",
  "pop3": "127.0.0.1:$POP3_PORT",
  "pop3s": "127.0.0.1:$POP3S_PORT",
  "pop3_nouidl": "127.0.0.1:$NOUIDL_PORT",
  "pop3s_nouidl": "127.0.0.1:$NOUIDLS_PORT",
  "smtp": "127.0.0.1:$SMTP_PORT",
  "submission": "127.0.0.1:$SUB_PORT",
  "users": {$users},
  "script": "$SELF"
}
EOF
  mv -f "$D/env.json.new" "$D/env.json"
}

. "$LIB/configs.sh"

# ---------------------------------------------------------------- commands
cmd_start() {
  [ "$(id -u)" = 0 ] || die "start needs root (Dovecot/Postfix masters, Maildir owners)"
  command -v dovecot >/dev/null && [ -x /usr/sbin/postfix ] && command -v openssl >/dev/null && [ -n "$PY" ] ||
    die "missing dovecot-pop3d, postfix, openssl or python3: run scripts/install-deps.sh"
  lock
  # a stack already started in this folder keeps the ports it has
  if [ "${MAILSTACK_PORTS:-}" = auto ] && [ -f "$D/settings" ]; then load_settings; else load_settings fresh; fi
  local p; for p in $(all_ports); do
    case "$p" in ''|*[!0-9]*) die "bad port '$p'";; esac
    [ "$p" -ge 1024 ] && [ "$p" -le 65535 ] || die "port $p: need 1024..65535"
  done
  local dp pp xp; dp="$(dovecot_pid)"; pp="$(postfix_pid)"; xp="$(proxy_pid)"
  if [ -n "$dp$pp$xp" ] && [ "$(cat "$D/settings" 2>/dev/null)" != "$(settings)" ]; then
    die "already running with other settings ($D/settings); run stop first"
  fi
  if [ -n "$dp" ] && [ -n "$pp" ] && [ -n "$xp" ]; then
    write_env_json; say "already running (dovecot $dp, postfix $pp, nouidl $xp)"; return
  fi
  umask 022
  mkdir -p "$D" "$DVRUN" "$DV/state" "$DV/index" "$DV/control" "$DV/index2" "$DV/control2" "$PFETC" "$PFQ" "$PF/data" "$MAIL" "$MAIL2" "$PX"
  chmod 0755 "$D" "$DV" "$PF" "$PFETC" "$MAIL" "$PX"
  chown "$MUID:$MGID" "$DV/index" "$DV/control" "$DV/index2" "$DV/control2" "$MAIL" "$MAIL2"
  chown postfix:postfix "$PF/data"; chmod 0700 "$PF/data"   # Postfix's data_directory
  settings > "$D/settings"
  make_tls
  write_postfix_conf
  local up; for up in $USERS; do set_user "${up%%:*}" "${up#*:}"; done
  for up in $USERS2; do set_user "${up%%:*}@$DOMAIN2" "${up#*:}"; done
  write_env_json

  if [ -z "$dp" ]; then # first: Postfix authenticates through Dovecot's socket
    ports_free "$POP3_PORT" "$POP3S_PORT"
    write_dovecot_conf
    dovecot -c "$DVCONF" < /dev/null >> "$DV/dovecot.stderr" 2>&1 9>&- ||
      { tail -5 "$DV/dovecot.stderr" >&2; die "dovecot did not start; see $DV/dovecot.log"; }
    wait_for 100 ports_up "$POP3_PORT" "$POP3S_PORT" && [ -S "$DVRUN/auth-postfix" ] && dp="$(dovecot_pid)" &&
      [ -n "$dp" ] || die "dovecot did not come up; see $DV/dovecot.log"
  fi
  if [ -z "$pp" ]; then
    ports_free "$SMTP_PORT" "$SUB_PORT"
    postfix -c "$PFETC" start < /dev/null >> "$PF/postfix.stderr" 2>&1 9>&- ||
      { tail -5 "$PF/postfix.stderr" >&2; die "postfix did not start; see $PF/postfix.log"; }
    wait_for 100 ports_up "$SMTP_PORT" "$SUB_PORT" && pp="$(postfix_pid)" && [ -n "$pp" ] ||
      die "postfix did not come up; see $PF/postfix.log"
  fi
  if [ -z "$xp" ]; then
    ports_free "$NOUIDL_PORT" "$NOUIDLS_PORT"
    rm -f "$PX/proxy.pid"
    setsid "$PY" "$LIB/pop3_nouidl.py" "$POP3_PORT" "$NOUIDL_PORT" "$NOUIDLS_PORT" \
      "$TLS/server.crt" "$TLS/server.key" "$PX/proxy.pid" "$D" < /dev/null >> "$PX/proxy.log" 2>&1 9>&- &
    wait_for 100 test -s "$PX/proxy.pid" && xp="$(proxy_pid)" && [ -n "$xp" ] ||
      { tail -5 "$PX/proxy.log" >&2; die "nouidl relay did not come up"; }
  fi
  say "running: dovecot $dp (pop3 :$POP3_PORT, pop3s :$POP3S_PORT), postfix $pp (smtp :$SMTP_PORT," \
      "submission :$SUB_PORT), nouidl $xp (pop3 :$NOUIDL_PORT, pop3s :$NOUIDLS_PORT); state in $D"
}

cmd_stop() {
  local pid
  [ -d "$D" ] || { say "not running; no $D"; return; }
  lock
  pid="$(proxy_pid)"
  if [ -n "$pid" ]; then
    kill "$pid"; wait_for 100 gone "$pid" "$NOUIDL_PORT" "$NOUIDLS_PORT" || die "nouidl relay $pid did not exit"
    rm -f "$PX/proxy.pid"; say "stopped nouidl relay ($pid)"
  fi
  pid="$(postfix_pid)"
  if [ -n "$pid" ]; then
    postfix -c "$PFETC" stop < /dev/null >> "$PF/postfix.stderr" 2>&1 || true
    wait_for 100 gone "$pid" "$SMTP_PORT" "$SUB_PORT" || die "postfix master $pid did not exit"
    say "stopped postfix ($pid)"
  fi
  pid="$(dovecot_pid)"
  if [ -n "$pid" ]; then
    kill "$pid"; wait_for 100 gone "$pid" "$POP3_PORT" "$POP3S_PORT" || die "dovecot master $pid did not exit"
    say "stopped dovecot ($pid)"
  fi
  rm -f "$D/env.json"
  say "stopped; state kept in $D"
}

cmd_status() {
  local dp pp xp
  dp="$(dovecot_pid)"; pp="$(postfix_pid)"; xp="$(proxy_pid)"
  line() { if [ -n "$2" ]; then echo "$1 running pid=$2 $3"; else echo "$1 not running"; fi; }
  line "dovecot:" "$dp" "pop3=127.0.0.1:$POP3_PORT pop3s=127.0.0.1:$POP3S_PORT"
  line "postfix:" "$pp" "smtp=127.0.0.1:$SMTP_PORT submission=127.0.0.1:$SUB_PORT"
  line "nouidl: " "$xp" "pop3=127.0.0.1:$NOUIDL_PORT pop3s=127.0.0.1:$NOUIDLS_PORT"
  echo "state:   $D"
  [ -n "$dp" ] && [ -n "$pp" ] && [ -n "$xp" ]
}

cmd_env() {
  cat <<EOF
export MAILSTACK_DIR=$D
export MAILSTACK_DOMAIN=$DOMAIN
export MAILSTACK_DOMAIN2=$DOMAIN2
export MAILSTACK_POP3_PORT=$POP3_PORT
export MAILSTACK_POP3S_PORT=$POP3S_PORT
export MAILSTACK_POP3_NOUIDL_PORT=$NOUIDL_PORT
export MAILSTACK_POP3S_NOUIDL_PORT=$NOUIDLS_PORT
export MAILSTACK_SMTP_PORT=$SMTP_PORT
export MAILSTACK_SUBMISSION_PORT=$SUB_PORT
export MAILSTACK_CA_FILE=$TLS/ca.crt
export MAILSTACK_TLS_SERVERNAME=mail.$DOMAIN
EOF
}

empty_inbox() { # USER: a fresh Maildir, and Dovecot forgets its index for it
  user_at "$1"
  [ -f "$UDIR/$UN" ] || die "no such user: $1 (adduser first)"
  rm -rf "${UMAIL:?}" "${UIDX:?}" "${UCTL:?}"
  mkdir -p "$UMAIL"/{cur,new,tmp}; chown -R "$MUID:$MGID" "$UMAIL"
}

cmd_fill() {
  [ $# -eq 2 ] || die "usage: fill USER N"
  case "$2" in ''|*[!0-9]*) die "bad count '$2'";; esac
  empty_inbox "$1"
  "$PY" "$LIB/fill.py" "$UMAIL" "$UN" "$UDOM" "$2" "$MUID" "$MGID"
  say "$1 now holds $2 messages"
}

cmd_clear() { [ $# -eq 1 ] || die "usage: clear USER"; empty_inbox "$1"; say "$1's inbox emptied"; }

cmd_put() { # USER FILE: the file, as it is, becomes the newest message
  [ $# -eq 2 ] || die "usage: put USER FILE"
  user_at "$1"
  [ -f "$UDIR/$UN" ] || die "no such user: $1 (adduser first)"
  [ -f "$2" ] || die "no such file: $2"
  [ -d "$UMAIL/cur" ] || empty_inbox "$1"
  local name tmp
  # Dovecot numbers Maildir files by the time stamp their names start
  # with: a name past every fill keeps the new message last
  name="$(( $(date +%s) + 1000000000 )).M$(date +%N)P$$.mailstack,S=$(stat -c %s "$2")"
  tmp="$UMAIL/tmp/$name"
  cp "$2" "$tmp"; chown "$MUID:$MGID" "$tmp"
  mv "$tmp" "$UMAIL/new/$name"
  say "$2 put into $1's inbox"
}

cmd_adduser() {
  [ $# -eq 2 ] || die "usage: adduser USER PASS"
  [ -f "$PFETC/main.cf" ] || die "run start first"
  lock
  PF_CHANGED=0
  set_user "$1" "$2"
  # smtpd reads the mailbox map when it starts: a new user needs a reload
  [ "$PF_CHANGED" = 0 ] || [ -z "$(postfix_pid)" ] || postfix -c "$PFETC" reload < /dev/null >> "$PF/postfix.stderr" 2>&1 9>&-
  [ ! -f "$D/env.json" ] || write_env_json
  # Both servers take the change in asynchronously: return only once they
  # have (a test logs in or sends mail to the user right away)
  if [ -n "$(dovecot_pid)" ]; then
    wait_secs 20 doveadm -c "$DVCONF" auth test -x service=pop3 "$1" "$2" ||
      die "dovecot still refuses $1 after 20 s; see $DV/dovecot.log"
  fi
  if [ -n "$(postfix_pid)" ]; then
    wait_secs 20 "$PY" "$LIB/probe.py" rcpt "$SMTP_PORT" "$UN@$UDOM" ||
      die "postfix still refuses mail for $UN@$UDOM after 20 s; see $PF/postfix.log"
  fi
  if [ "$UDOM" = "$DOMAIN" ]; then say "user $1 set (log in as $1 or $1@$DOMAIN)"; else say "user $1 set (log in as $1)"; fi
}

cmd_drain() {
  local secs="${1:-10}" n=0 i
  case "$secs" in ''|*[!0-9]*) die "bad seconds '$secs'";; esac
  for ((i = 0; i < secs * 20; i++)); do
    n="$(find "$PFQ/maildrop" "$PFQ/incoming" "$PFQ/active" "$PFQ/deferred" -type f 2>/dev/null | wc -l)"
    [ "$n" -eq 0 ] && return 0
    sleep 0.05
  done
  die "postfix queue still holds $n messages after ${secs}s; see $PF/postfix.log"
}

cmd_selftest() {
  cmd_status > /dev/null || die "not running; run start first"
  "$PY" "$LIB/selftest.py" "$D/env.json"
}

cmd="${1:-}"; shift || true
[ "$cmd" = start ] || load_settings
case "$cmd" in
  start) cmd_start;; stop) cmd_stop;; status) cmd_status;; env) cmd_env;;
  fill) cmd_fill "$@";; clear) cmd_clear "$@";; put) cmd_put "$@";; adduser) cmd_adduser "$@";;
  drain) cmd_drain "$@";; selftest) cmd_selftest;;
  *) sed -n '2,/^set -euo/p' "$SELF" | sed '$d'; exit 2;;
esac
