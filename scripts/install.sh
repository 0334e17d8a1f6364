#!/usr/bin/env bash
# Installs fical on a host (Debian 12, Amazon Linux 2023, any systemd distribution):
# fical-agent, fical-client, the systemd unit, a commented default /etc/fical/agent.yaml
# with a freshly generated deploy token (printed once, stored only as its SHA-256), the
# client's config and root-only token file; then enables and starts the service.
#
# Idempotent: a re-run replaces binaries and unit, keeps the existing config and token,
# and restarts the agent only when something it runs changed.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install.sh [options]
       install.sh --uninstall [--purge] [--root DIR] [--no-start]

Options:
  --build-dir DIR    take the binaries from a CMake build dir (DIR/agent/fical-agent,
                     DIR/client/fical-client); default: bin/ beside this script (the
                     unpacked release tarball), else beside this script
  --root DIR         install below DIR instead of / (for images and tests); without
                     --no-start the unit is enabled there with `systemctl --root`
  --no-start         do not run systemctl at all
  --container-nginx  nginx runs in a container: default config reloads it through Docker
                     and the tighter container-nginx.conf drop-in is installed
  --url URL          agent URL for /etc/fical/client.yaml
                     (default http://127.0.0.1:7070, or unix:/run/fical/agent.sock)
  --uninstall        stop and disable the agent, remove binaries, unit and docs; keep
                     /etc/fical and /var/lib/fical
  --purge            with --uninstall: also remove /etc/fical and /var/lib/fical
  -h, --help         this help
EOF
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

say() {
  echo "install.sh: $*"
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=/
build_dir=
start=1
container_nginx=0
uninstall=0
purge=0
url=http://127.0.0.1:7070

while (($#)); do
  case $1 in
    --build-dir) (($# >= 2)) || die "--build-dir needs a directory"; build_dir=$2; shift 2 ;;
    --root) (($# >= 2)) || die "--root needs a directory"; root=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    --container-nginx) container_nginx=1; shift ;;
    --url) (($# >= 2)) || die "--url needs a value"; url=$2; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    --purge) purge=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[[ -d $root ]] || die "--root $root is not a directory"
root=$(cd "$root" && pwd)
[[ $root == / ]] && root=
((purge == 0 || uninstall == 1)) || die "--purge only goes with --uninstall"
[[ $url =~ ^(http://[A-Za-z0-9.-]+(:[0-9]{1,5})?|http://\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?|unix:/[A-Za-z0-9_./-]+)$ ]] ||
  die "--url must be http://HOST[:PORT] or unix:/PATH, got: $url"
if [[ -z $root && $(id -u) -ne 0 ]]; then
  die "run as root (or give --root DIR to install elsewhere)"
fi

# Installed locations, all below $root.
agent_bin=$root/usr/local/sbin/fical-agent
client_bin=$root/usr/local/bin/fical-client
unit_dir=$root/etc/systemd/system
unit=$unit_dir/fical-agent.service
dropin=$unit_dir/fical-agent.service.d/container-nginx.conf
doc=$root/usr/local/share/doc/fical/operator-guide.md
conf_dir=$root/etc/fical
agent_yaml=$conf_dir/agent.yaml
client_yaml=$conf_dir/client.yaml
token_file=$conf_dir/client.token
state_dir=$root/var/lib/fical
upstream_dir=$root/opt/platform/nginx/upstreams

# Runs systemctl on the live system, or only `enable`/`disable` offline under --root.
systemctl_live() {
  if ((start == 1)) && [[ -z $root ]]; then
    systemctl "$@"
  fi
}

# The first of the given files that exists, or nothing.
first_existing() {
  local f
  for f in "$@"; do
    if [[ -e $f ]]; then
      printf '%s\n' "$f"
      return
    fi
  done
}

# Whether two files have the same bytes (coreutils only: no cmp on a minimal host).
same_content() {
  local a b
  a=$(sha256sum <"$1") && b=$(sha256sum <"$2") && [[ $a == "$b" ]]
}

# Copies src to dest atomically (temp file in the same dir, then rename), mode and
# owner root. Sets changed=1 when dest was missing or different.
changed=0
put_file() {
  local src=$1 dest=$2 mode=$3
  mkdir -p "$(dirname "$dest")"
  if [[ -f $dest ]] && same_content "$src" "$dest" && [[ $(stat -c %a "$dest") == "$mode" ]]; then
    return
  fi
  local tmp
  tmp=$(mktemp "$dest.new.XXXXXX")
  cat "$src" >"$tmp"
  chmod "$mode" "$tmp"
  if [[ $(id -u) -eq 0 ]]; then chown 0:0 "$tmp"; fi
  mv -f "$tmp" "$dest"
  changed=1
}

# Writes stdin to dest atomically with the given mode (for generated files).
write_file() {
  local dest=$1 mode=$2 tmp
  tmp=$(mktemp "$dest.new.XXXXXX")
  chmod "$mode" "$tmp"
  if [[ $(id -u) -eq 0 ]]; then chown 0:0 "$tmp"; fi
  cat >"$tmp"
  mv -f "$tmp" "$dest"
}

do_uninstall() {
  if [[ -f $unit ]]; then
    if ((start == 1)) && [[ -n $root ]]; then
      systemctl --root="$root" disable fical-agent.service
    else
      systemctl_live disable --now fical-agent.service || true
    fi
  fi
  rm -f -- "$agent_bin" "$client_bin" "$unit" "$dropin" "$doc"
  rmdir -- "$(dirname "$dropin")" "$(dirname "$doc")" 2>/dev/null || true
  systemctl_live daemon-reload
  say "removed fical-agent, fical-client, the unit and the docs"
  if ((purge == 1)); then
    rm -rf -- "$conf_dir" "$state_dir"
    say "purged ${conf_dir} and ${state_dir}"
  else
    say "kept ${conf_dir} (config and token) and ${state_dir} (releases); --purge removes them"
  fi
  say "kept ${upstream_dir}: nginx includes it; remove its fical files once nginx no longer uses them"
}

if ((uninstall == 1)); then
  do_uninstall
  exit 0
fi

# --- Sources ---
if [[ -n $build_dir ]]; then
  [[ -d $build_dir ]] || die "--build-dir $build_dir is not a directory"
  src_agent=$build_dir/agent/fical-agent
  src_client=$build_dir/client/fical-client
elif [[ -x $script_dir/bin/fical-agent ]]; then
  # The unpacked release tarball: install.sh, bin/, systemd/, docs/.
  src_agent=$script_dir/bin/fical-agent
  src_client=$script_dir/bin/fical-client
else
  src_agent=$script_dir/fical-agent
  src_client=$script_dir/fical-client
fi
for b in "$src_agent" "$src_client"; do
  [[ -x $b ]] || die "$b not found or not executable (build first, or pass --build-dir)"
done
"$src_agent" --version >/dev/null || die "$src_agent does not run on this host"
src_unit=$(first_existing "$script_dir/systemd/fical-agent.service" "$script_dir/../systemd/fical-agent.service" \
  "$script_dir/fical-agent.service")
[[ -n $src_unit ]] || die "fical-agent.service not found in $script_dir/../systemd or $script_dir"
src_dropin=$(first_existing "$script_dir/systemd/fical-agent.service.d/container-nginx.conf" \
  "$script_dir/../systemd/fical-agent.service.d/container-nginx.conf" "$script_dir/container-nginx.conf")
src_doc=$(first_existing "$script_dir/docs/operator-guide.md" "$script_dir/../docs/operator-guide.md" \
  "$script_dir/operator-guide.md")
command -v openssl >/dev/null || die "openssl is needed to generate the deploy token"
command -v sha256sum >/dev/null || die "sha256sum is needed to hash the deploy token"

# --- Binaries, unit, docs ---
# changed: whether the agent must restart; the client and docs do not count.
put_file "$src_client" "$client_bin" 755
if [[ -n $src_doc ]]; then put_file "$src_doc" "$doc" 644; fi
changed=0
put_file "$src_agent" "$agent_bin" 755
put_file "$src_unit" "$unit" 644
if ((container_nginx == 1)); then
  [[ -n $src_dropin ]] || die "container-nginx.conf not found next to the unit"
  put_file "$src_dropin" "$dropin" 644
elif [[ -f $dropin ]]; then
  say "keeping the existing drop-in $dropin"
fi
say "installed $agent_bin, $client_bin and $unit"

# --- nginx upstream dir (the unit makes it writable for the agent; it must exist) ---
if [[ ! -d $upstream_dir ]]; then
  mkdir -p "$upstream_dir"
  chmod 0755 "$upstream_dir"
  say "created $upstream_dir; add 'include /opt/platform/nginx/upstreams/*.conf;' to nginx's http block"
elif [[ $(stat -c %u "$upstream_dir") != 0 && $(id -u) -eq 0 ]]; then
  say "warning: $upstream_dir is not owned by root; with the container-nginx drop-in the agent cannot write to it"
fi

# --- Configuration and the deploy token ---
mkdir -p "$conf_dir"
chmod 0755 "$conf_dir"
if [[ -f $agent_yaml ]]; then
  say "keeping the existing $agent_yaml and its tokens (the token is not shown again)"
  [[ -f $token_file ]] ||
    say "warning: $token_file is missing: fical-client on this host has no token; see the operator guide"
  token=
else
  token=$(openssl rand -hex 32)
  [[ $token =~ ^[0-9a-f]{64}$ ]] || die "openssl rand did not produce 64 hex digits"
  # The token goes through a pipe, never argv, and only into the root-only token file.
  hash=$(printf '%s' "$token" | sha256sum)
  hash=${hash%% *}
  printf '%s' "$token" | write_file "$token_file" 600
  if ((container_nginx == 1)); then
    reload='{ container: nginx-platform }   # or { pidfile: /run/nginx.pid } or { command: [nginx, -s, reload] }'
  else
    reload='{ pidfile: /run/nginx.pid }     # or { container: nginx-platform } or { command: [nginx, -s, reload] }'
  fi
  write_file "$agent_yaml" 600 <<EOF
# fical-agent configuration. Written once by scripts/install.sh, never overwritten by it.
# Reference: /usr/local/share/doc/fical/operator-guide.md
# After editing: systemctl restart fical-agent

# Where the API listens: TCP on loopback and a unix socket (fical-client reads its url
# from /etc/fical/client.yaml).
listen: ["127.0.0.1:7070", "unix:/run/fical/agent.sock"]
docker: { socket: /var/run/docker.sock }
# Releases, deployments and the audit trail (fical.db); systemd creates it (StateDirectory=fical).
state_dir: /var/lib/fical
tokens:                        # only SHA-256 (hex) of bearer tokens
  # Generated by install.sh; the token itself is in /etc/fical/client.token (root only).
  # Another token: t=\$(openssl rand -hex 32); printf '%s' "\$t" | sha256sum
  # Scopes: read, deploy (also promote), promote (promotions only), admin (all).
  - { id: ssm-deploy, sha256: "${hash}", scopes: [read, deploy] }
nginx:
  # The agent writes one upstream file per app/env/service here; nginx's http block has
  #   include /opt/platform/nginx/upstreams/*.conf;
  # The systemd unit makes only this dir writable: change both together.
  upstream_dir: /opt/platform/nginx/upstreams
  reload: ${reload}
apps: {}                       # see the commented example below
# apps:
#   filter-ical:
#     environments:
#       staging:
#         network: platform            # the Docker network nginx is on; with "host",
#                                      # give each service ports: { blue: N, green: M }
#         env_file: /opt/apps/filter-ical/.env.staging   # root-owned, mode 0600
#         # optional, over the env_file: a Secrets Manager secret holding a JSON object
#         aws_secret: { id: filter-ical/staging/env, region: eu-north-1 }
#         retain: 5                  # releases kept for instant rollback
#         drain: 10s                 # old containers keep serving this long
#         services:
#           backend:
#             image: ghcr.io/owner/filter-ical-backend   # the version is the tag
#             port: 3000
#             health: { http: /health, deadline: 60s }
#             migrate: { command: [alembic, upgrade, head] }
#           frontend:
#             image: ghcr.io/owner/filter-ical-frontend
#             port: 80
#             health: { http: /health }
EOF
fi
if [[ -f $client_yaml ]]; then
  say "keeping the existing $client_yaml"
else
  write_file "$client_yaml" 644 <<EOF
# fical-client configuration, written by scripts/install.sh.
url: ${url}
token_file: /etc/fical/client.token
EOF
fi

# The agent checks its config itself; a broken one would only make the service fail.
if ! "$agent_bin" --check-config --config "$agent_yaml" >/dev/null; then
  die "$agent_yaml is invalid (errors above); fix it and re-run. The service was not (re)started"
fi

# Shown before systemctl runs, so a failing start cannot hide it.
if [[ -n $token ]]; then
  cat <<EOF

Deploy token (shown only this once; agent.yaml stores only its SHA-256, and root can
read it from ${token_file} for fical-client on this host):

    ${token}

EOF
fi

# --- systemd ---
if ((start == 0)); then
  say "--no-start: not running systemctl"
elif [[ -n $root ]]; then
  systemctl --root="$root" enable fical-agent.service
  say "enabled fical-agent.service in $root; it starts on boot"
else
  systemctl daemon-reload
  if systemctl is-active --quiet fical-agent.service; then
    if ((changed == 1)); then
      systemctl restart fical-agent.service
      say "restarted fical-agent (new binary or unit)"
    else
      say "fical-agent is running and unchanged"
    fi
  fi
  systemctl enable --now fical-agent.service
  say "fical-agent is enabled and started: systemctl status fical-agent"
fi
