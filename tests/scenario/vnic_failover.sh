# vNIC failover, as scenarios/vnic-failover.yaml plays it: eth0's port
# goes down, the heartbeat misses it at the next 500 ms tick, the vNIC
# fails over to b1 (eth1, the lowest priority number of the healthy
# backups) and fails back to eth0 once it is up again. Packets lost are
# the ones that failed visibly; nothing is lost silently. Then the same
# with selection least_load: app1 already loads eth1, so b2 (eth2) takes
# over despite its worse priority.
source "$(dirname "$0")/lib.bash"
scn=$SRC/scenarios/vnic-failover.yaml
s() { q "$1" "SELECT value FROM scalar WHERE component='$2' AND name='$3'"; }

"$LPARSIM" run "$scn" -o v.db -q --progress never
expect_eq failovers "$(s v.db failover.web1 failovers)" 1.0
expect_eq failbacks "$(s v.db failover.web1 failbacks)" 1.0
expect_eq ios_lost "$(s v.db lpar.web1 ios_lost)" 0.0
expect_eq "packets_lost = ios_failed" "$(s v.db failover.web1 packets_lost)" "$(s v.db lpar.web1 ios_failed)"
expect_eq "to b1" "$(q v.db "SELECT detail FROM event WHERE component='failover.web1'
                               AND kind='failover_start' ORDER BY t_ps LIMIT 1")" \
  "failover primary -> b1 (priority 20)"
# the port went down at 1.3 s; the heartbeat (500 ms grid) saw it at 1.5 s
expect_eq detect "$(q v.db "SELECT t_ps FROM event WHERE component='failover.web1'
                              AND kind='failover_detect_end' ORDER BY t_ps LIMIT 1")" 1500000000000

"$LPARSIM" run "$scn" -o l.db -q --progress never --set lpars.web1.vnic.selection=least_load
expect_eq "least load: b2" "$(q l.db "SELECT detail FROM event WHERE component='failover.web1'
                                        AND kind='failover_start' ORDER BY t_ps LIMIT 1")" \
  "failover primary -> b2 (priority 30)"
expect_eq "least load ios_lost" "$(s l.db lpar.web1 ios_lost)" 0.0
echo ok
