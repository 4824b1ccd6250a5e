#!/usr/bin/env bash
# Builds the scenario-loader fuzzer with clang into OUTDIR (default
# build/fuzz) and prints the path of the program. Used by smoke.sh (ctest
# fuzz.smoke) and run-long.sh; see docs/fuzzing.md.
#
# The project's sources are compiled here with clang, apart from the main
# (gcc) build: libFuzzer and its sanitizer runtimes come with clang. Every
# C file of the library (the same set as CMakeLists.txt's lparsim_core) is
# compiled with coverage, ASan and UBSan into an archive, and the harness is
# linked against it, so only what the loader, the schema and the machine
# checks reach is linked in. The SystemC shim is not compiled: the harness
# stubs its three functions. Objects are rebuilt when a source or one of the
# headers it includes changed. FUZZ_CC overrides the compiler (clang).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/build/fuzz}
cc=${FUZZ_CC:-clang}
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)

missing() {
  echo "fuzz: $1" >&2
  echo "fuzz: clang with libFuzzer is needed: run 'bash scripts/setup.sh --test'" \
       "(installs clang and libclang-rt-14-dev)" >&2
  exit 1
}
command -v "$cc" >/dev/null || missing "no '$cc' compiler on PATH"
probe=$out/probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return (int)(d[0] * 0 + n * 0); }\n' > "$probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" 2> "$probe.log" ||
  missing "'$cc' cannot link a libFuzzer program: $(head -n 3 "$probe.log")"

pkgs="libfyaml sqlite3 nettle"
pkg-config --exists $pkgs || { echo "fuzz: missing $pkgs: run 'bash scripts/setup.sh'" >&2; exit 1; }
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
cflags=(-std=c17 -g -O1 -Wall -Wextra -Wno-missing-field-initializers "${san[@]}"
        -I"$src" $(pkg-config --cflags $pkgs)
        -DLPARSIM_VERSION='"fuzz"' -DLPARSIM_SOURCE_DIR="\"$src\"")

# up_to_date OBJ: the object exists and is newer than every file in its .d
up_to_date() {
  local obj=$1 dep=${1%.o}.d f
  [ -e "$obj" ] && [ -e "$dep" ] || return 1
  for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    [ "$f" -ot "$obj" ] || return 1
  done
}

cd "$src"
objs=() jobs=0
for f in sim/*.c models/*/*.c workloads/*.c cli/*.c; do
  [ "$f" = cli/main.c ] && continue
  obj=$out/obj/$(echo "${f%.c}" | tr / _).o
  objs+=("$obj")
  up_to_date "$obj" && continue
  # A file that does not compile is left out (warned about): the link says
  # whether the fuzzer needed it.
  { "$cc" "${cflags[@]}" -w -fsanitize=fuzzer-no-link -MMD -MF "${obj%.o}.d" -c "$f" -o "$obj" ||
    { echo "fuzz: warning: $f does not compile with $cc; left out" >&2; rm -f "$obj"; }; } &
  if (( ++jobs >= $(nproc) )); then wait -n || true; jobs=$((jobs - 1)); fi
done
wait
present=()
for obj in "${objs[@]}"; do [ -e "$obj" ] && present+=("$obj"); done
rm -f "$out/liblparsim_fuzz.a"
ar rcs "$out/liblparsim_fuzz.a" "${present[@]}"

"$cc" "${cflags[@]}" -Werror -fsanitize=fuzzer tests/fuzz/fuzz_scenario.c \
  "$out/liblparsim_fuzz.a" $(pkg-config --libs $pkgs) -lm -o "$out/fuzz_scenario"
echo "$out/fuzz_scenario"
