# Shared helpers for ./run: quiet when there is nothing to do, explicit when there is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SIJILL_VENV:-$ROOT/.venv}"
say() {
  if [ -t 2 ]; then printf '\033[1m[sijill]\033[0m %s\n' "$*" >&2
  else printf '[sijill] %s\n' "$*" >&2; fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else say "need root for: $*"; return 1; fi
}

# Install the Debian packages of scripts/system-packages.txt that are missing.
ensure_system() {
  local missing=() why=() line pkg
  while IFS= read -r line; do
    line="${line%%#*}"; pkg="$(echo "$line" | awk '{print $1}')"
    [ -n "$pkg" ] || continue
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$pkg")
    fi
  done < "$ROOT/scripts/system-packages.txt"
  # Headers for packages that compile (pyscard) when the interpreter is Debian's own.
  if ! python3 -c 'import sysconfig,os,sys; sys.exit(not os.path.exists(sysconfig.get_paths()["include"]+"/Python.h"))'; then
    missing+=(python3-dev)
  fi
  if ! python3 -c 'import ensurepip' 2>/dev/null; then missing+=(python3-venv); fi
  command -v gcc >/dev/null || missing+=(gcc)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  grep -E "^($(IFS='|'; echo "${missing[*]}"))[[:space:]]" "$ROOT/scripts/system-packages.txt" \
    | sed 's/^/           /' >&2 || true
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Create the virtual environment and install the project with the given extras, once per
# change of pyproject.toml.
ensure_venv() {
  local extras="$1" stamp want
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment in $VENV"
    python3 -m venv "$VENV"
  fi
  stamp="$VENV/.sijill-installed"
  want="$extras $(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
    say "installing Sijill and its Python dependencies [$extras] (about a minute)"
    local log="$VENV/pip-install.log"
    if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[$extras]" \
        >"$log" 2>&1; then
      grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -30 >&2
      say "pip install failed (full log: $log)"; return 1
    fi
    echo "$want" >> "$stamp"
  fi
}

# The services integration tests use: the machine's PostgreSQL and Mosquitto.
ensure_services() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      local ver; ver="$(ls /etc/postgresql | sort -V | tail -1)"
      say "starting PostgreSQL $ver"
      as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 \
        || say "PostgreSQL did not start; tests will run a private cluster"
    fi
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
    if [ -f /etc/mosquitto/mosquitto.conf ]; then
      say "starting the system Mosquitto"
      as_root mosquitto -d -c /etc/mosquitto/mosquitto.conf || say "system Mosquitto did not start"
    fi
  fi
}
