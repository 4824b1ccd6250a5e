# Shared by the EEH scenario tests (sourced after lib.bash): the scenario's
# resolved parameters in picoseconds, and the EEH events of a results
# database. The closed forms themselves are written in each test.

# to_ps VALUE: a time with its unit (250ms, 1.5s, 10us, 7ps) in ps.
to_ps() {
  awk -v v="$1" 'BEGIN {
    n = v; sub(/[a-z]+$/, "", n); u = substr(v, length(n) + 1)
    m = u == "ps" ? 1 : u == "ns" ? 1e3 : u == "us" ? 1e6 : u == "ms" ? 1e9 : u == "s" ? 1e12 : -1
    if (m < 0 || n == "") exit 1
    printf "%.0f\n", n * m }' || fail "'$1' is not a time"
}

# to_hz VALUE: a frequency (3.8GHz) in Hz.
to_hz() {
  awk -v v="$1" 'BEGIN {
    n = v; sub(/[A-Za-z]+$/, "", n); u = substr(v, length(n) + 1)
    m = u == "Hz" ? 1 : u == "kHz" ? 1e3 : u == "MHz" ? 1e6 : u == "GHz" ? 1e9 : -1
    if (m < 0) exit 1
    printf "%.0f\n", n * m }' || fail "'$1' is not a frequency"
}

# resolved FILE KEY [ARGS...]: the value of KEY in `lparsim check FILE ARGS`
# (the resolved scenario, defaults filled in); every occurrence must agree.
resolved() {
  local file=$1 key=$2
  shift 2
  local vals
  vals=$("$LPARSIM" check "$file" "$@" | grep -E "^ *$key: " | sed -E 's/^ *[a-z_]+: ([^ #]+).*/\1/' | sort -u)
  [ -n "$vals" ] || fail "no '$key' in lparsim check $file"
  [ "$(wc -l <<< "$vals")" -eq 1 ] || fail "'$key' differs across the scenario: $vals"
  echo "$vals"
}

# cycles_ps CYCLES HZ: CPU cycles to the nearest picosecond, as the CPU model.
cycles_ps() { echo $(( ($1 * 1000000000000 + $2 / 2) / $2 )); }

# ev_t DB COMPONENT KIND [N]: time (ps) of the N-th (0-based) such event.
ev_t() {
  local t
  t=$(q "$1" "SELECT t_ps FROM event WHERE component = '$2' AND kind = '$3'
              ORDER BY rowid LIMIT 1 OFFSET ${4:-0}")
  [ -n "$t" ] || fail "$1: no event $3 #${4:-0} on $2"
  echo "$t"
}

# recovery_ps DB COMPONENT [N]: eeh_end - eeh_start of its N-th recovery.
recovery_ps() { echo $(( $(ev_t "$1" "$2" eeh_end "${3:-0}") - $(ev_t "$1" "$2" eeh_start "${3:-0}") )); }

# taken_back DB COMPONENT: the sum of what its eeh_error_detected_end events report.
taken_back() {
  q "$1" "SELECT detail FROM event WHERE component = '$2' AND kind = 'eeh_error_detected_end'" |
    sed -E 's/^[^:]*: ([0-9]+) I\/O.*/\1/' | awk '{ s += $1 } END { print s + 0 }'
}

# scalar DB COMPONENT NAME: a scalar as an integer (fails if absent).
scalar() {
  local v
  v=$(q "$1" "SELECT CAST(value AS INTEGER) FROM scalar WHERE component = '$2' AND name = '$3'")
  [ -n "$v" ] || fail "$1: no scalar $2 $3"
  echo "$v"
}
