# `lparsim validate` passes every row (exit 0) and prints one row per
# reference, each with PASS.
source "$(dirname "$0")/lib.bash"

"$LPARSIM" validate > out.txt || { cat out.txt; fail "validate exited non-zero"; }
cat out.txt
rows=$(grep -cE ' (PASS\*?|FAIL)$' out.txt)
[ "$rows" -ge 20 ] || fail "only $rows rows"
! grep -qE ' FAIL$' out.txt || fail "a row failed"
grep -q '^PASS: 0 row(s) failed$' out.txt || fail "no PASS summary"

# the whole hardware path: P-K at the device, and interrupt moderation
for r in "wholepath-mg1  device Wq" "coalesce-k4    device Wq" "coalesce-k4    MSIs per completion" \
         "coalesce-k4    added delay"; do
  grep -qE "^$r.* PASS\*?$" out.txt || fail "no passing row '$r'"
done

# TCE cache rows (cli/validate_tce.c): the added latency per miss equals the
# configured walk, and walk reads equal the levels, exactly (PASS); the hit
# rates match C/N or King's LRU formula (PASS, or PASS* just outside the
# interval but within 1%); LRU misses every access of a cycle over C+1.
tce=$(grep -cE '^tce-' out.txt)
expect_eq "TCE rows" "$tce" 23
for s in tce-l2-default tce-l3-500ns tce-l2-lvl140 tce-l3-lvl140; do
    for qty in 'mean added per miss' 'all added / misses' 'walk reads per miss'; do
        grep -qE "^$s +$qty .* PASS$" out.txt || fail "$s: no PASS row '$qty'"
    done
done
grep -qE '^tce-l2-default +mean added per miss +ns +280 +280 ' out.txt ||
    fail "a miss does not add the default 280 ns walk"
grep -qE '^tce-l3-lvl140 +mean added per miss +ns +420 +420 ' out.txt ||
    fail "a per_level miss does not add 3 x 140 ns"
for row in 'tce-lru-fa +hit rate C=64 N=128' 'tce-lru-fa +hit rate C=64 N=1024' \
           'tce-lru-fa +hit rate C=16 N=64' 'tce-lru-4way +hit rate C=64 N=128' \
           'tce-lru-4way +hit rate C=64 N=1024' 'tce-lru-king +hit rate C=4 N=8 Zipf' \
           'tce-fifo-fa +hit rate C=64 N=128' 'tce-fifo-irm +hit rate C=4 N=8 Zipf' \
           'tce-rand-fa +hit rate C=64 N=128' 'tce-rand-irm +hit rate C=4 N=8 Zipf'; do
    grep -qE "^$row .* PASS\*?$" out.txt || fail "no passing row '$row'"
done
grep -qE '^tce-lru-fa +miss ratio cycle C=64 N=65 .* PASS$' out.txt ||
    fail "LRU does not miss every access of a cycle over C+1 pages"

# dispatcher rows (cli/validate_dispatch.c): water-filling shares within 1%
# (PASS), the wake-up costs exactly (PASS, spread 0), the capped VP's
# interrupt wait (PASS or PASS*) and its physc exactly
expect_eq "dispatcher rows" "$(grep -cE '^dispatch-' out.txt)" 14
for s in A B C D E F; do
    grep -qE "^dispatch-share +physc $s .* PASS$" out.txt || fail "no PASS share row for $s"
done
grep -qE '^dispatch-wake +irq: esc \+ exit \+ switch-in +us +11\.32 +11\.32 .* PASS$' out.txt ||
    fail "an escalated wake-up does not take escalation + cede exit + switch-in"
[ "$(grep -cE '^dispatch-wake +spread max - min .* ns +0 +0 .* PASS$' out.txt)" = 3 ] ||
    fail "wake-ups are not all exactly the same"
grep -qE '^dispatch-cap +irq wait .* PASS\*?$' out.txt || fail "capped interrupt wait"
grep -qE '^dispatch-cap +physc = entitlement .* PASS$' out.txt || fail "capped physc"

# completion-path rows (cli/validate_io.c): the latency each parameter
# adds equals its cycles at 3 GHz, to the ps: wakeup 6000 cycles = 2000 ns;
# entry 500 + ipi 1500 + wakeup 6000 + EOI 1200 (400 ns) + exit 400 = 9600
# cycles = 3200 ns; notify 250 ns + EOI 1200 cycles (400 ns) = 650 ns
expect_eq "completion rows" "$(grep -cE '^io-(wake-local|wake-ipi|xive) .* PASS$' out.txt)" 3
grep -qE '^io-wake-local +\+ wake-up on the irq.s VP +ns +2000 ' out.txt || fail "io-wake-local reference"
grep -qE '^io-wake-ipi +\+ IPI and remote wake-up +ns +3200 ' out.txt || fail "io-wake-ipi reference"
grep -qE '^io-xive +\+ notify and ESB load-EOI +ns +650 ' out.txt || fail "io-xive reference"
