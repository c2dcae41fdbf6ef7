#!/usr/bin/env bash
# vendor/NAME must be exactly the published NAME-VERSION.crate from crates.io plus
# vendor/patches/NAME.patch. This script proves it, and re-vendors tract in one command.
# See vendor/README.md.
#
# Usage (from any directory):
#   scripts/check-vendor.sh                     check (the default; CI runs it)
#   scripts/check-vendor.sh --revendor VERSION  re-vendor every crate at VERSION (needs crates.io)
#   scripts/check-vendor.sh --write-patches     after editing vendor/ by hand: regenerate
#                                               vendor/patches/*.patch and vendor/README.md's list
#   scripts/check-vendor.sh --list              print the patched lines (file:line: +text)
#
# Check: for each crate, take its .crate from cargo's cache ($CARGO_HOME/registry/cache, so
# offline once cargo has it); if it is not there, download it with `cargo fetch` in a throwaway
# project (this needs crates.io). Verify its SHA-256 against vendor/patches/crates.sha256, unpack
# it, apply the patch, `diff -r` the result against vendor/NAME, and check that vendor/README.md
# lists exactly the patched lines. Exit 0 with one OK line per crate, else non-zero with the diff.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/vendor"
PATCHES="$VENDOR/patches"
SUMS="$PATCHES/crates.sha256"
README="$VENDOR/README.md"
CRATES=(tract-core tract-nnef)
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"
export LC_ALL=C

WORK="$(mktemp -d "${TMPDIR:-/tmp}/check-vendor.XXXXXX")"
KEEP_WORK=0
trap '[[ $KEEP_WORK == 1 ]] || rm -rf "$WORK"' EXIT

die() {
  printf 'check-vendor: %s\n' "$*" >&2
  exit 1
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# The version in vendor/NAME/Cargo.toml's [package] section.
version_of() {
  [[ -f "$VENDOR/$1/Cargo.toml" ]] || die "vendor/$1/Cargo.toml is missing"
  awk '/^\[/ { p = ($0 == "[package]") }
       p && /^version *=/ { sub(/^version *= *"/, ""); sub(/".*$/, ""); print; exit }' \
    "$VENDOR/$1/Cargo.toml"
}

# The .crate in cargo's download cache, if cargo has it.
cached_crate() {
  local f
  for f in "$CARGO_HOME"/registry/cache/*/"$1-$2.crate"; do
    if [[ -f "$f" ]]; then
      echo "$f"
      return
    fi
  done
}

# Has cargo download NAME@VERSION... into its cache: `cargo fetch` in a throwaway project, so
# cargo checks each download against the crates.io index. Leaves the project's Cargo.lock (with
# the index's checksums) in $WORK/fetch. Needs crates.io.
fetch_crates() {
  local proj="$WORK/fetch" spec
  rm -rf "$proj"
  mkdir -p "$proj/src"
  : >"$proj/src/lib.rs"
  {
    printf '[package]\nname = "check-vendor-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
    printf '[workspace]\n\n[dependencies]\n'
    for spec in "$@"; do printf '%s = "=%s"\n' "${spec%@*}" "${spec#*@}"; done
  } >"$proj/Cargo.toml"
  echo "fetching $* from crates.io (cargo fetch in a throwaway project; needs the network)" >&2
  (cd "$proj" && CARGO_TARGET_DIR="$proj/target" cargo fetch --quiet) ||
    die "cargo fetch failed: downloading the published crates needs crates.io"
}

# The checksum of NAME VERSION in the throwaway project's Cargo.lock (from the index).
locked_checksum() {
  awk -v n="$1" -v v="$2" '
    /^\[\[package\]\]/ { name = ""; ver = "" }
    /^name = /     { name = $3; gsub(/"/, "", name) }
    /^version = /  { ver = $3; gsub(/"/, "", ver) }
    /^checksum = / { c = $3; gsub(/"/, "", c); if (name == n && ver == v) { print c; exit } }
  ' "$WORK/fetch/Cargo.lock"
}

# The published NAME-VERSION.crate, unpacked into $WORK/pristine/NAME-VERSION (checksum
# verified against vendor/patches/crates.sha256 unless a second argument says otherwise).
unpack_pristine() {
  local name="$1" version="$2" want="${3:-}" crate got
  crate="$(cached_crate "$name" "$version")"
  if [[ -z "$crate" ]]; then
    fetch_crates "$name@$version"
    crate="$(cached_crate "$name" "$version")"
    [[ -n "$crate" ]] || die "cargo fetch did not leave $name-$version.crate in $CARGO_HOME/registry/cache"
  fi
  if [[ -z "$want" ]]; then
    want="$(awk -v f="$name-$version.crate" '$2 == f { print $1 }' "$SUMS" 2>/dev/null || true)"
    [[ -n "$want" ]] || die "no checksum for $name-$version.crate in vendor/patches/crates.sha256"
  fi
  got="$(sha256 "$crate")"
  [[ "$got" == "$want" ]] || die "$crate: SHA-256 $got, expected $want"
  rm -rf "$WORK/pristine/$name-$version"
  mkdir -p "$WORK/pristine"
  tar -xzf "$crate" -C "$WORK/pristine"
  [[ -d "$WORK/pristine/$name-$version" ]] || die "$crate did not unpack to $name-$version/"
}

# Copies the pristine tree to $WORK/patched/NAME-VERSION and applies vendor/patches/NAME.patch
# exactly (no fuzz). Prints patch's complaints and returns non-zero if a hunk does not apply.
apply_patch() {
  local name="$1" version="$2" dir="$WORK/patched/$1-$2" patch="$PATCHES/$1.patch" out
  rm -rf "$dir"
  mkdir -p "$WORK/patched"
  cp -R "$WORK/pristine/$name-$version" "$dir"
  [[ -s "$patch" ]] || return 0
  if ! out="$(patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch -d "$dir" <"$patch" 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "check-vendor: vendor/patches/$name.patch does not apply to $name $version (above)" >&2
    return 1
  fi
}

# Prints a unified diff's changed lines as "PREFIX/path:line: +text" (line in the patched file)
# or "PREFIX/path:line: -text" (line in the published file).
list_patch() {
  local prefix="$1" patch="$2"
  [[ -s "$patch" ]] || return 0
  awk -v prefix="$prefix" '
    oldleft > 0 || newleft > 0 {
      c = substr($0, 1, 1)
      if (c == "\\") next
      if (c == "+") { print prefix "/" file ":" new ": " $0; new++; newleft-- }
      else if (c == "-") { print prefix "/" file ":" old ": " $0; old++; oldleft-- }
      else { old++; new++; oldleft--; newleft-- }
      next
    }
    /^\+\+\+ / { file = $2; sub(/^[^\/]*\//, "", file); next }
    /^@@ / {
      n = split(substr($2, 2), o, ","); old = o[1] + 0; oldleft = (n > 1 ? o[2] : 1) + 0
      n = split(substr($3, 2), w, ","); new = w[1] + 0; newleft = (n > 1 ? w[2] : 1) + 0
    }
  ' "$patch"
}

list_all() {
  local name
  for name in "${CRATES[@]}"; do list_patch "$name" "$PATCHES/$name.patch"; done
}

BEGIN_MARK='<!-- BEGIN patched lines: generated by scripts/check-vendor.sh --write-patches -->'
END_MARK='<!-- END patched lines -->'

# vendor/README.md's generated block, between the markers (without them).
readme_block() {
  awk -v b="$BEGIN_MARK" -v e="$END_MARK" '$0 == e { p = 0 } p { print } $0 == b { p = 1 }' "$README"
}

generated_block() {
  echo '```text'
  list_all
  echo '```'
}

write_readme_block() {
  grep -qxF "$BEGIN_MARK" "$README" && grep -qxF "$END_MARK" "$README" ||
    die "vendor/README.md lacks the markers of the patched-lines block"
  generated_block >"$WORK/block"
  awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v blk="$WORK/block" '
    $0 == e { p = 0 }
    !p { print }
    $0 == b { while ((getline l < blk) > 0) print l; p = 1 }
  ' "$README" >"$WORK/README.md"
  cat "$WORK/README.md" >"$README"
}

# vendor/patches/NAME.patch := diff of the published crate against vendor/NAME, with stable
# a/ b/ headers (no timestamps).
write_patch() {
  local name="$1" version="$2" d="$WORK/diff" rc=0
  rm -rf "$d"
  mkdir -p "$d"
  cp -R "$WORK/pristine/$name-$version" "$d/a"
  cp -R "$VENDOR/$name" "$d/b"
  (cd "$d" && diff -ruN a b >"$d/out") || rc=$?
  [[ $rc -le 1 ]] || die "diff failed for $name"
  mkdir -p "$PATCHES"
  sed -E 's/^((---|\+\+\+) [^[:space:]]+)[[:space:]].*$/\1/' "$d/out" >"$PATCHES/$name.patch"
}

check() {
  local name version failed=0 rc missing=()
  for name in "${CRATES[@]}"; do
    version="$(version_of "$name")"
    [[ -n "$version" ]] || die "no version in vendor/$name/Cargo.toml"
    [[ -n "$(cached_crate "$name" "$version")" ]] || missing+=("$name@$version")
  done
  # Not in cargo's cache (building this project never downloads them, because of [patch]).
  [[ ${#missing[@]} -eq 0 ]] || fetch_crates "${missing[@]}"
  for name in "${CRATES[@]}"; do
    version="$(version_of "$name")"
    unpack_pristine "$name" "$version"
    if ! apply_patch "$name" "$version"; then
      failed=1
      continue
    fi
    rc=0
    diff -ru "$WORK/patched/$name-$version" "$VENDOR/$name" >"$WORK/$name.diff" || rc=$?
    if [[ $rc -eq 0 ]]; then
      echo "OK   vendor/$name = $name-$version.crate + vendor/patches/$name.patch ($(list_patch "$name" "$PATCHES/$name.patch" | wc -l | tr -d ' ') lines)"
    else
      sed -e "s#$WORK/patched/$name-$version#published+patch#g" -e "s#$VENDOR/#vendor/#g" "$WORK/$name.diff"
      echo "FAIL vendor/$name differs from $name-$version.crate + vendor/patches/$name.patch (diff above)" >&2
      failed=1
    fi
  done
  # An unused [patch] (tract upgraded without re-vendoring) shows in the lockfile.
  if grep -q '^\[\[patch.unused\]\]' "$ROOT/Cargo.lock" 2>/dev/null; then
    echo "FAIL Cargo.lock has [[patch.unused]]: the vendored versions do not match what tract-onnx asks for" >&2
    failed=1
  fi
  if [[ "$(readme_block)" != "$(generated_block)" ]]; then
    diff -u <(readme_block) <(generated_block) | sed '1,2d' || true
    echo "FAIL vendor/README.md's list of patched lines is stale: run scripts/check-vendor.sh --write-patches" >&2
    failed=1
  fi
  [[ $failed -eq 0 ]] || exit 1
}

write_patches() {
  local name version
  for name in "${CRATES[@]}"; do
    version="$(version_of "$name")"
    unpack_pristine "$name" "$version"
    write_patch "$name" "$version"
    echo "wrote vendor/patches/$name.patch"
  done
  write_readme_block
  echo "updated the patched-lines list in vendor/README.md"
}

revendor() {
  local version="$1" name want failed=0 specs=()
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "not a version: $version"
  for name in "${CRATES[@]}"; do specs+=("$name@$version"); done
  # Always through cargo, for the checksums the crates.io index gives.
  fetch_crates "${specs[@]}"
  : >"$WORK/sums"
  for name in "${CRATES[@]}"; do
    want="$(locked_checksum "$name" "$version")"
    [[ -n "$want" ]] || die "no checksum for $name $version in the throwaway Cargo.lock"
    unpack_pristine "$name" "$version" "$want"
    printf '%s  %s\n' "$want" "$name-$version.crate" >>"$WORK/sums"
    apply_patch "$name" "$version" || failed=1
  done
  if [[ $failed -ne 0 ]]; then
    KEEP_WORK=1
    sort -k2 "$WORK/sums" >"$WORK/crates.sha256"
    cat >&2 <<EOF

check-vendor: vendor/ is unchanged. The published crates with the hunks that did apply (and
.rej files for those that did not) are in $WORK/patched/. To finish by hand:
redo the rejected changes there and delete the .rej files; replace each vendor/NAME with
$WORK/patched/NAME-$version;
cp $WORK/crates.sha256 $SUMS;
then run scripts/check-vendor.sh --write-patches, review the patches, and scripts/check-vendor.sh.
EOF
    exit 1
  fi
  for name in "${CRATES[@]}"; do
    rm -rf "${VENDOR:?}/$name"
    cp -R "$WORK/patched/$name-$version" "$VENDOR/$name"
  done
  sort -k2 "$WORK/sums" >"$SUMS"
  # Same changes, line numbers of the new version.
  for name in "${CRATES[@]}"; do write_patch "$name" "$version"; done
  write_readme_block
  check
  cat <<EOF

Re-vendored ${CRATES[*]} at $version (vendor/, vendor/patches/, vendor/README.md's list).
Next:
  1. crate/Cargo.toml: make tract-onnx's requirement admit $version (it pins tract-core and
     tract-nnef with "=" so the versions must be equal), then
       cargo update -p tract-onnx --precise $version
     Cargo.lock must have no [[patch.unused]] (this script checks) and
       cargo tree -i tract-core
     must show vendor/tract-core.
  2. Update the version in vendor/README.md's prose, review git diff vendor/, and run
     scripts/test.sh (scripts/build.sh's wasm size budget notices a patch that stopped working).
EOF
}

case "${1:-}" in
  "") check ;;
  --revendor)
    [[ $# -eq 2 ]] || die "usage: $0 --revendor VERSION"
    revendor "$2"
    ;;
  --write-patches) write_patches ;;
  --list) list_all ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown argument: $1 (see --help)" ;;
esac
