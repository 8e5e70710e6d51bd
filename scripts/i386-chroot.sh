#!/usr/bin/env bash
# Runs a command as i386, natively (an x86-64 kernel runs i386 code), inside a chroot of the i386
# sysroot that scripts/cross-setup.sh made: Debian's node reads its builtins from /usr/share/nodejs
# by absolute path, so it needs that root; the sysroot brings its own gcc, node headers and shell.
# /proc, /dev, /tmp and the repository are bind-mounted at their own paths in a private mount
# namespace (nothing outside changes), and `linux32` makes uname say i686. Needs root.
#   scripts/i386-chroot.sh CMD [ARG...]     (run in the current directory, which must be visible)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${TRAMPFD_CROSS_CACHE:-$repo/.cache/cross}/i386/sysroot
[[ -x $root/usr/bin/node ]] || { echo "i386-chroot: no i386 sysroot in $root: run scripts/cross-setup.sh first (as root)" >&2; exit 2; }
mkdir -p "$root/proc" "$root/dev" "$root/tmp" "$root$repo" "$root/etc/ssl/certs"
# Debian 13's node warns at every start when the CA bundle it is built to read is missing.
[[ -f $root/etc/ssl/certs/ca-certificates.crt || ! -f /etc/ssl/certs/ca-certificates.crt ]] ||
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
# npm is plain JS: the host's copy runs on the sysroot's node (the tests pack and install trampfd).
npm=$(dirname "$(readlink -f "$(command -v npm)")")/..
[[ -f $npm/package.json ]] || npm=
if [[ -n $npm ]]; then
  mkdir -p "$root/usr/lib/node_modules/npm"
  [[ -L $root/usr/bin/npm ]] || ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
fi
cwd=$PWD
exec unshare -m -- sh -c 'set -e; r=$1; d=$2; c=$3; n=$4; shift 4
  mount --make-rprivate / 2>/dev/null || true
  mount --rbind /proc "$r/proc"; mount --rbind /dev "$r/dev"; mount --bind /tmp "$r/tmp"; mount --bind "$d" "$r$d"
  [ -z "$n" ] || mount --bind -o ro "$n" "$r/usr/lib/node_modules/npm"
  exec linux32 chroot "$r" /bin/sh -c '\''cd "$0" && exec "$@"'\'' "$c" "$@"' \
  i386-chroot "$root" "$repo" "$cwd" "$npm" "$@"
