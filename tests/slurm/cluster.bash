# A private one-node Slurm cluster for the integration tests, started and
# stopped by the test itself. Source this file, then:
#
#   slurm_cluster_start WORKDIR   # munged + slurmctld + slurmd, all in WORKDIR
#   ...sbatch / sinfo / squeue...  # SLURM_CONF is exported by start
#   slurm_cluster_stop            # kills exactly the daemons start launched
#
# Everything the cluster writes (key, sockets, pid files, logs, state, spool,
# config) lives in WORKDIR; it reads only /etc (passwd, hosts). It listens on
# loopback only, on two ports free at start time, runs every daemon as root in
# the foreground (no systemd, no init scripts), and uses no cgroups
# (proctrack/linuxproc, task/none), so it works inside a container or a VM
# without cgroup delegation. See docs/slurm-test.md.
#
# Needs: slurmctld, slurmd, slurmstepd, sbatch, sinfo, scontrol, munged, munge,
# python3 (to find free ports). `bash scripts/setup.sh --test` installs them.

SLURM_CLUSTER_DIR=
SLURM_CLUSTER_TIMEOUT=${SLURM_CLUSTER_TIMEOUT:-60}   # seconds for each start-up wait

# slurm_cluster_missing: prints the missing programs (empty when none).
slurm_cluster_missing() {
  local p missing=()
  for p in munged munge slurmctld slurmd slurmstepd sbatch sinfo scontrol python3; do
    command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$p" >/dev/null 2>&1 \
      || missing+=("$p")
  done
  echo "${missing[*]}"
}

# _slurm_running PID: PID exists and is not a zombie.
_slurm_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# _slurm_kill_recorded DIR: kills the daemons whose pids DIR/pids records, if
# they still run and are the program recorded (a pid may have been reused).
_slurm_kill_recorded() {
  local dir=$1 name pid comm live=() _
  [ -f "$dir/pids" ] || return 0
  while read -r name pid; do
    [ -n "$pid" ] || continue
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    [ "$comm" = "$name" ] || continue
    kill -TERM "$pid" 2>/dev/null && live+=("$pid")
  done < <(tac "$dir/pids")
  # Up to 10 s for a clean exit, then SIGKILL.
  for _ in $(seq 1 100); do
    local still=()
    for pid in ${live[@]+"${live[@]}"}; do
      _slurm_running "$pid" && still+=("$pid")
    done
    live=(${still[@]+"${still[@]}"})
    [ ${#live[@]} -eq 0 ] && break
    sleep 0.1
  done
  for pid in ${live[@]+"${live[@]}"}; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$dir/pids"
}

# _slurm_logs DIR: prints the tail of every daemon log (for failures).
_slurm_logs() {
  local f
  for f in "$1"/log/*; do
    [ -s "$f" ] || continue
    echo "----- $f (last 40 lines) -----" >&2
    tail -n 40 "$f" >&2
  done
}

_slurm_fail() {
  echo "slurm_cluster_start: $*" >&2
  _slurm_logs "$SLURM_CLUSTER_DIR"
  slurm_cluster_stop
  return 1
}

# _slurm_spawn NAME LOG CMD...: runs CMD in the background, detached from the
# caller's stdio, and records "NAME PID". CMD must stay in the foreground.
_slurm_spawn() {
  local name=$1 log=$2; shift 2
  "$@" </dev/null >>"$log" 2>&1 &
  echo "$name $!" >> "$SLURM_CLUSTER_DIR/pids"
}

# _slurm_wait SECONDS DAEMON CMD...: polls CMD (quietly) until it succeeds;
# gives up after SECONDS, or at once if the recorded DAEMON has exited.
_slurm_wait() {
  local deadline=$((SECONDS + $1)) daemon=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    _slurm_alive "$daemon" || { "$@" >/dev/null 2>&1; return; }
    sleep 0.2
  done
}

# _slurm_alive NAME: the recorded daemon NAME still runs.
_slurm_alive() {
  local pid
  pid=$(awk -v n="$1" '$1 == n { print $2 }' "$SLURM_CLUSTER_DIR/pids" 2>/dev/null | tail -n 1)
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}

_slurm_node_idle() {
  local state
  state=$(timeout 10 sinfo -h -N -n "$SLURM_CLUSTER_NODE" -o %T 2>/dev/null) || return 1
  [ "$state" = idle ]
}

# _slurm_start_reaper: a watchdog that stops the cluster if the shell that
# started it dies without calling slurm_cluster_stop (SIGKILL, a crash), so a
# killed test leaves no daemons behind.
_slurm_start_reaper() {
  local owner=$$
  (
    trap - EXIT; trap '' INT HUP
    exec </dev/null >/dev/null 2>&1
    while kill -0 "$owner" 2>/dev/null; do sleep 1; done
    _slurm_kill_recorded "$SLURM_CLUSTER_DIR"
  ) &
  SLURM_CLUSTER_REAPER=$!
}

slurm_cluster_start() {
  local dir=${1:?usage: slurm_cluster_start WORKDIR}
  local missing
  missing=$(slurm_cluster_missing)
  [ -z "$missing" ] || { echo "slurm_cluster_start: missing $missing (run: bash scripts/setup.sh --test)" >&2; return 1; }
  [ "$(id -u)" -eq 0 ] || { echo "slurm_cluster_start: must run as root (SlurmdUser=root)" >&2; return 1; }
  PATH=$PATH:/usr/sbin:/sbin
  slurm_cluster_stop   # one cluster per shell: a second start replaces the first

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  SLURM_CLUSTER_DIR=$dir
  # A leftover from a crashed run in the same WORKDIR: stop it, start afresh.
  _slurm_kill_recorded "$dir"
  rm -rf "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/slurm.conf"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  # munged insists that its key, socket and log directories are not writable
  # by group or others.
  chmod 700 "$dir/log" "$dir/run" "$dir/state" "$dir/spool"
  chmod 755 "$dir/munge"   # the socket must be reachable (jobs run as root, though)
  : > "$dir/pids"
  _slurm_start_reaper

  # The caller's environment must not steer our clients elsewhere (a CI that
  # itself runs under Slurm sets SLURM_JOB_ID, SBATCH_PARTITION, ...).
  local v
  for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO|SCONTROL|SACCT)_' \
             | grep -v '^SLURM_CLUSTER_' || true); do
    unset "$v"
  done

  # The munge socket path goes into a sockaddr_un (108 bytes).
  local sock=$dir/munge/munge.socket
  [ ${#sock} -lt 100 ] || { echo "slurm_cluster_start: WORKDIR path too long for a unix socket: $sock" >&2; return 1; }

  # --- MUNGE: a fresh key and a private munged on its own socket -----------
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  # munged runs as the key's owner: root here. --force lets it start although
  # it is root and WORKDIR's ancestors (e.g. /tmp) are world-writable.
  _slurm_spawn munged "$dir/log/munged.out" munged --foreground --force \
      --socket="$sock" --key-file="$dir/munge/munge.key" \
      --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
      --seed-file="$dir/munge/munged.seed"
  _slurm_wait 20 munged munge -n -S "$sock" || { _slurm_fail "munged did not come up"; return 1; }
  # A credential must round-trip through this munged.
  munge -n -S "$sock" | unmunge -S "$sock" >/dev/null 2>&1 \
    || { _slurm_fail "munge/unmunge round trip failed on $sock"; return 1; }

  # --- slurm.conf ------------------------------------------------------------
  local node hw ports ctld_port slurmd_port
  node=$(hostname -s)
  # What slurmd detects on this machine, so the node registers without a
  # mismatch: "NodeName=x CPUs=.. Boards=.. ... RealMemory=..".
  hw=$(slurmd -C 2>/dev/null | sed -n 's/^NodeName=[^ ]* //p' | head -n 1)
  [ -n "$hw" ] || { _slurm_fail "slurmd -C printed no node line"; return 1; }
  ports=$(python3 -c '
import socket
socks = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(*(s.getsockname()[1] for s in socks))')
  read -r ctld_port slurmd_port <<< "$ports"
  SLURM_CLUSTER_NODE=$node

  cat > "$dir/slurm.conf" <<EOF
# Written by tests/slurm/cluster.bash: a private one-node test cluster.
ClusterName=lparsim-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
# Listen on the controller address above and on NodeAddr below, never on
# INADDR_ANY: loopback only.
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MpiDefault=none
ReturnToService=2
# No cgroups anywhere: containers and VMs without cgroup v2 delegation.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
SelectType=select/cons_tres
# Cores only: memory as a consumable would give each job the whole node.
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
# Start array tasks as soon as CPUs free up (the default defers batch jobs by
# up to 3 s per scheduling pass).
SchedulerParameters=batch_sched_delay=0
# sbatch --wait sleeps 2 s, then 4 times longer while that is under
# MinJobAge/2 (up to 32 s with the default 300): here 2 s, then every 8 s.
# Finished jobs are kept 10 s or more, longer than one poll.
MinJobAge=10
MailProg=/bin/true
InactiveLimit=0
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf

  # --- daemons, in the foreground (-D) under our own pid bookkeeping ---------
  _slurm_spawn slurmctld "$dir/log/slurmctld.out" slurmctld -D -i -f "$dir/slurm.conf"
  _slurm_wait "$SLURM_CLUSTER_TIMEOUT" slurmctld timeout 10 scontrol ping \
    || { _slurm_fail "slurmctld did not answer scontrol ping"; return 1; }
  _slurm_spawn slurmd "$dir/log/slurmd.out" slurmd -D -N "$node" -f "$dir/slurm.conf"
  _slurm_wait "$SLURM_CLUSTER_TIMEOUT" slurmd _slurm_node_idle \
    || { _slurm_fail "node $node did not become idle within ${SLURM_CLUSTER_TIMEOUT}s (state: $(sinfo -h -N -o %T 2>&1))"; return 1; }
  local d
  for d in munged slurmctld slurmd; do
    _slurm_alive "$d" || { _slurm_fail "$d exited"; return 1; }
  done
}

# slurm_cluster_stop: cancels what is left of the cluster's jobs (so no job
# step outlives it), then stops the daemons start recorded, newest first.
# Safe to call twice, or after a failed start.
slurm_cluster_stop() {
  local dir=${SLURM_CLUSTER_DIR:-} _
  [ -n "$dir" ] || return 0
  if [ -n "${SLURM_CLUSTER_REAPER:-}" ]; then
    [ "$(cat "/proc/$SLURM_CLUSTER_REAPER/comm" 2>/dev/null)" = bash ] \
      && kill -TERM "$SLURM_CLUSTER_REAPER" 2>/dev/null
    SLURM_CLUSTER_REAPER=
  fi
  if [ -f "$dir/slurm.conf" ] && _slurm_alive slurmctld \
     && SLURM_CONF=$dir/slurm.conf timeout 10 scontrol ping >/dev/null 2>&1; then
    SLURM_CONF=$dir/slurm.conf timeout 10 scancel --partition=test >/dev/null 2>&1 || true
    for _ in $(seq 1 75); do   # up to 15 s for the jobs to finish completing
      [ -z "$(SLURM_CONF=$dir/slurm.conf timeout 10 squeue -h -p test 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  _slurm_kill_recorded "$dir"
}
