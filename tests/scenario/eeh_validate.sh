# The EEH rows of `lparsim validate` (cli/validate_eeh.c): each passes,
# exact to the picosecond, and the references are the closed forms of
# docs/validation.md with the default parameters (docs/model-reference.md):
# cb = eeh_callback 10 us, H = reset_hold 250 ms, S = reset_settle 1800 ms,
# C = configure 10 us, R = restore 100 us, T = thaw 10 us, I = reinit
# 500 ms, Z = hotplug_sleep 5 s, Q = 1 queue pair, V = H_VIOCTL 380000
# cycles at 3.8 GHz = 100 us, A = 3 reset attempts, poll 10 ms (freeze at
# 503 ms), io_timeout 30 s noticed at the next whole second, submit 6000
# cycles at 3.8 GHz.
source "$(dirname "$0")/lib.bash"

"$LPARSIM" validate > out.txt || { cat out.txt; fail "validate exited non-zero"; }
grep '^eeh-' out.txt
expect_eq "EEH rows" "$(grep -c '^eeh-' out.txt)" 10
! grep -E '^eeh-' out.txt | grep -vqE ' PASS$' || fail "an EEH row did not pass"

ms() { awk -v p="$1" 'BEGIN { printf "%.6f", p / 1e9 }'; }
row() { # SCENARIO QUANTITY REFERENCE_PS: reference and simulated both shown, equal
  local ref sim
  ref=$(ms "$3")
  sim=$(awk -v p="$3" 'BEGIN { printf "%.9f", p / 1e9 }')
  grep -qE "^$1 +$2 +ms +$ref +$sim +\+0\.00% +PASS$" out.txt ||
    fail "no row '$1 $2' with reference = simulated = $sim ms"
}
us=1000000; ms_=1000000000
cb=$((10*us)); H=$((250*ms_)); S=$((1800*ms_)); C=$((10*us)); R=$((100*us)); T=$((10*us))
I=$((500*ms_)); Z=$((5000*ms_)); Q=1; V=$(( (380000 * 1000000000000 + 1900000000) / 3800000000 ))
row eeh-reset 'recovery 3cb\+\(H\+S\)\+C\+R\+I\+QV' $(( 3*cb + H + S + C + R + I + Q*V ))
row eeh-reset 'detect, mmio_poll' $(( 510*ms_ - 503*ms_ ))
row eeh-reset-3 'recovery 3cb\+3\(H\+S\)\+C\+R\+I\+QV' $(( 3*cb + 3*(H + S) + C + R + I + Q*V ))
row eeh-recover 'recovery 3cb\+2T\+I\+QV' $(( 3*cb + 2*T + I + Q*V ))
row eeh-none 'recovery cb\+\(H\+S\)\+C\+R\+Z\+I\+QV' $(( cb + H + S + C + R + Z + I + Q*V ))
row eeh-give-up 'given up after cb\+A\(H\+S\)' $(( cb + 3*(H + S) ))
submit=$(( (6000 * 1000000000000 + 1900000000) / 3800000000 ))
# blk-mq rounds its timer up to a whole second (round_jiffies_up)
s_=$((1000*ms_)); due=$(( 10*ms_ + submit + 30000*ms_ ))
row eeh-timeout 'detect, ceil_s\(oldest\+timeout\)' $(( (due + s_ - 1) / s_ * s_ - 5*ms_ ))
grep -qE '^eeh-timeout +retried = depth D +4 +4 ' out.txt || fail "retried is not the depth 4"
grep -qE '^eeh-give-up +permanent_failures +1 +1 ' out.txt || fail "no permanent failure"
grep -qE '^eeh-reset-3 +retried = sum taken back .* PASS$' out.txt || fail "retried != taken back"
echo ok
