#!/usr/bin/env bash
# A real network lab whose captures have known answers (issue 3, "Proof 2").
#
#   client ── r1 ── fw ── r2 ── server        (five network namespaces joined by veth pairs)
#
# fw REJECTs one TCP port with a forged RST (it carries the server's address); the server has a
# listening port and a closed one (its kernel's RST is genuine). The client pings the server,
# talks to the listening port, and tries the firewalled and the closed port, over IPv4 and IPv6.
# tcpdump captures on the client's interface; the real tcpdump renders each pcap in several
# dialects; verdict-table.mjs derives which rendered lines are forged and which genuine RSTs from
# what the lab did (ports, addresses), never from our analyzer.
#
# Nothing leaves the namespaces: no address is added outside them, and no namespace has a default
# route or any link to the host. Run as root: `npm run lab` (or `bash scripts/lab/run.sh`).
# Output replaces test/fixtures/lab/ (override with LAB_OUT=dir) only when every check passed.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "run.sh: needs root (network namespaces, iptables, tcpdump)" >&2
  exit 1
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_DIR="$REPO/scripts/lab"
OUT=${LAB_OUT:-$REPO/test/fixtures/lab}

# Lab facts: the verdict table is derived from exactly these.
LISTEN_PORT=7100       # server listens
FIREWALLED_PORT=7200   # fw forges RSTs for it
CLOSED_PORT=7300       # nothing listens: the server's own kernel resets
ATTEMPTS=2             # connection attempts per firewalled/closed port and family
PINGS=3
NS_CLIENT=tlab-client NS_R1=tlab-r1 NS_FW=tlab-fw NS_R2=tlab-r2 NS_SERVER=tlab-server
NAMESPACES=("$NS_CLIENT" "$NS_R1" "$NS_FW" "$NS_R2" "$NS_SERVER")
CLIENT4=10.201.1.2 R1_C4=10.201.1.1 R1_F4=10.201.2.1 FW_R4=10.201.2.2 FW_S4=10.201.3.1 R2_F4=10.201.3.2 R2_S4=10.201.4.1 SERVER4=10.201.4.2
CLIENT6=fd00:201:1::2 R1_C6=fd00:201:1::1 R1_F6=fd00:201:2::1 FW_R6=fd00:201:2::2 FW_S6=fd00:201:3::1 R2_F6=fd00:201:3::2 R2_S6=fd00:201:4::1 SERVER6=fd00:201:4::2
DIALECTS=("n:-n" "nv:-nv" "nvv:-nvv" "tttt-nv:-tttt -nv" "nve:-nve")

WORK=$(mktemp -d /tmp/tcpdump-lens-lab.XXXXXX)
STARTED_PIDS=()

START_MS=$(( $(date +%s%N) / 1000000 ))
log() { printf '[lab %6d ms] %s\n' "$(( $(date +%s%N) / 1000000 - START_MS ))" "$*" >&2; }
fail() { echo "run.sh: $*" >&2; exit 1; }

ns_exists() { [[ -e "/run/netns/$1" ]]; }

# Stops what this script started and deletes its namespaces (deleting a namespace alone would
# leave its processes running, holding it alive).
remove_lab() {
  local pid ns
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STARTED_PIDS=()
  for ns in "${NAMESPACES[@]}"; do
    if ns_exists "$ns"; then
      # Anything still running inside our own namespaces was started by this script.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

cleanup() {
  remove_lab
  if [[ -n ${LAB_KEEP_WORK:-} ]]; then echo "run.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools() {
  local missing=() cmd pkg
  for pair in tcpdump:tcpdump ip:iproute2 ss:iproute2 iptables:iptables ip6tables:iptables ping:iputils-ping; do
    cmd=${pair%%:*} pkg=${pair#*:}
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v node >/dev/null || fail "node is required (listener, client, verdict table)"
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# veth between two namespaces, created inside them so the interfaces pick up each namespace's
# default sysctls (hop_limit) from birth.
link() {
  local ns_a=$1 if_a=$2 ns_b=$3 if_b=$4
  ip link add "$if_a" netns "$ns_a" type veth peer name "$if_b" netns "$ns_b"
  in_ns "$ns_a" ip link set "$if_a" up
  in_ns "$ns_b" ip link set "$if_b" up
}

addr() {
  local ns=$1 dev=$2 v4=$3 v6=$4
  in_ns "$ns" ip addr add "$v4/24" dev "$dev"
  # nodad: the address is usable at once; DAD would only delay the lab.
  in_ns "$ns" ip -6 addr add "$v6/64" dev "$dev" nodad
}

route() {
  local ns=$1 via4=$2 via6=$3; shift 3
  local net
  for net in "$@"; do
    if [[ $net == *:* ]]; then in_ns "$ns" ip -6 route add "$net" via "$via6"
    else in_ns "$ns" ip route add "$net" via "$via4"; fi
  done
}

set_initial_ttl() {
  local ns=$1 ttl=$2
  in_ns "$ns" sysctl -qw net.ipv4.ip_default_ttl="$ttl" net.ipv6.conf.all.hop_limit="$ttl" net.ipv6.conf.default.hop_limit="$ttl"
}

build_lab() {
  local server_ttl=$1 fw_ttl=$2 ns dev
  remove_lab   # leftovers of an earlier run killed too hard (SIGKILL) to clean up
  for ns in "${NAMESPACES[@]}"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  set_initial_ttl "$NS_SERVER" "$server_ttl"
  set_initial_ttl "$NS_FW" "$fw_ttl"

  link "$NS_CLIENT" c-r1 "$NS_R1" r1-c
  link "$NS_R1" r1-fw "$NS_FW" fw-r1
  link "$NS_FW" fw-r2 "$NS_R2" r2-fw
  link "$NS_R2" r2-s "$NS_SERVER" s-r2
  addr "$NS_CLIENT" c-r1 "$CLIENT4" "$CLIENT6"
  addr "$NS_R1" r1-c "$R1_C4" "$R1_C6"
  addr "$NS_R1" r1-fw "$R1_F4" "$R1_F6"
  addr "$NS_FW" fw-r1 "$FW_R4" "$FW_R6"
  addr "$NS_FW" fw-r2 "$FW_S4" "$FW_S6"
  addr "$NS_R2" r2-fw "$R2_F4" "$R2_F6"
  addr "$NS_R2" r2-s "$R2_S4" "$R2_S6"
  addr "$NS_SERVER" s-r2 "$SERVER4" "$SERVER6"

  # Only lab prefixes are routed: no namespace has a default route.
  route "$NS_CLIENT" "$R1_C4" "$R1_C6" 10.201.0.0/16 fd00:201::/32
  route "$NS_R1" "$FW_R4" "$FW_R6" 10.201.3.0/24 10.201.4.0/24 fd00:201:3::/64 fd00:201:4::/64
  route "$NS_FW" "$R1_F4" "$R1_F6" 10.201.1.0/24 fd00:201:1::/64
  route "$NS_FW" "$R2_F4" "$R2_F6" 10.201.4.0/24 fd00:201:4::/64
  route "$NS_R2" "$FW_S4" "$FW_S6" 10.201.1.0/24 10.201.2.0/24 fd00:201:1::/64 fd00:201:2::/64
  route "$NS_SERVER" "$R2_S4" "$R2_S6" 10.201.0.0/16 fd00:201::/32
  for ns in "$NS_R1" "$NS_FW" "$NS_R2"; do
    in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  done
  for dev in fw-r1 fw-r2; do in_ns "$NS_FW" sysctl -qw "net.ipv6.conf.$dev.hop_limit=$fw_ttl"; done
  in_ns "$NS_SERVER" sysctl -qw "net.ipv6.conf.s-r2.hop_limit=$server_ttl"

  in_ns "$NS_FW" iptables -A FORWARD -p tcp --dport "$FIREWALLED_PORT" -j REJECT --reject-with tcp-reset
  in_ns "$NS_FW" ip6tables -A FORWARD -p tcp --dport "$FIREWALLED_PORT" -j REJECT --reject-with tcp-reset

  # Not via in_ns: a backgrounded function would be a subshell, and $! its pid, not node's.
  ip netns exec "$NS_SERVER" node "$LAB_DIR/listener.mjs" "$LISTEN_PORT" >"$WORK/listener.log" 2>&1 &
  STARTED_PIDS+=($!)

  for _ in $(seq 50); do
    in_ns "$NS_SERVER" ss -Hltn "sport = :$LISTEN_PORT" | grep -q . && return 0
    sleep 0.1
  done
  fail "listener did not come up: $(cat "$WORK/listener.log")"
}

# capture NAME FAMILY: one bounded capture on the client's interface while the client runs its traffic.
capture() {
  local name=$1 family=$2 server pcap="$WORK/$1.pcap" err="$WORK/$1.tcpdump.err" pid
  [[ $family == 4 ]] && server=$SERVER4 || server=$SERVER6
  # --immediate-mode hands each packet over at once (TPACKET_V3 would otherwise hold it in a
  # block for up to a second, and a stop would lose it); -U writes it to the file at once.
  # -c and timeout bound the capture if anything hangs.
  ip netns exec "$NS_CLIENT" timeout 30 tcpdump -i c-r1 -n --immediate-mode -U -c 1000 -w "$pcap" 2>"$err" &
  pid=$!
  STARTED_PIDS+=("$pid")
  for _ in $(seq 100); do grep -q 'listening on' "$err" && break; sleep 0.05; done
  grep -q 'listening on' "$err" || fail "tcpdump did not start: $(cat "$err")"

  if [[ $family == 4 ]]; then in_ns "$NS_CLIENT" ping -n -q -c "$PINGS" -i 0.2 -W 2 "$server" >"$WORK/$name.ping"
  else in_ns "$NS_CLIENT" ping -6 -n -q -c "$PINGS" -i 0.2 -W 2 "$server" >"$WORK/$name.ping"; fi
  in_ns "$NS_CLIENT" node "$LAB_DIR/client.mjs" "$server" "$LISTEN_PORT" "$FIREWALLED_PORT" "$CLOSED_PORT" "$ATTEMPTS" >"$WORK/$name.client.jsonl"
  in_ns "$NS_CLIENT" ping -n -q -c 1 -W 2 "$server" >>"$WORK/$name.ping"

  # Stop only once the file holds the last echo reply: everything before it has been written.
  local replies want=$((PINGS + 1)) reply_filter='icmp[icmptype] == icmp-echoreply'
  [[ $family == 6 ]] && reply_filter='icmp6 and ip6[40] == 129'
  for _ in $(seq 100); do
    replies=$(tcpdump -r "$pcap" -n "$reply_filter" 2>/dev/null | wc -l)
    ((replies >= want)) && break
    sleep 0.05
  done
  ((replies >= want)) || fail "$name: only $replies of $want echo replies reached the pcap"
  # SIGTERM (not INT, which bash ignores in background jobs) makes tcpdump flush and exit.
  kill -TERM "$pid"
  wait "$pid" || true
  STARTED_PIDS=("${STARTED_PIDS[@]/$pid}")
  local captured in_file
  captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$err")
  in_file=$(tcpdump -r "$pcap" -n 2>/dev/null | wc -l)
  [[ -n $captured && $captured == "$in_file" ]] || fail "$name: tcpdump reported '${captured:-nothing}' captured, the file holds $in_file: $(cat "$err")"
  log "$name: $(grep 'packets captured' "$err")"
  cp "$WORK/$name.client.jsonl" "$WORK/out/$name.client.jsonl"
}

render() {
  local name=$1 entry suffix flags
  for entry in "${DIALECTS[@]}"; do
    suffix=${entry%%:*} flags=${entry#*:}
    # shellcheck disable=SC2086 # flags is a word list on purpose
    TZ=UTC tcpdump -r "$WORK/$name.pcap" $flags >"$WORK/out/$name.$suffix.txt" 2>/dev/null
  done
  cp "$WORK/$name.pcap" "$WORK/out/$name.pcap"
}

ensure_tools
mkdir -p "$WORK/out"
SCENARIOS=()
for scenario in "ttl64:64:64" "ttl128:128:255"; do
  IFS=: read -r label server_ttl fw_ttl <<<"$scenario"
  log "scenario $label: server initial TTL $server_ttl, firewall initial TTL $fw_ttl"
  build_lab "$server_ttl" "$fw_ttl"
  capture "$label-ipv4" 4
  capture "$label-ipv6" 6
  remove_lab
  render "$label-ipv4"
  render "$label-ipv6"
  SCENARIOS+=("$label-ipv4:4:$server_ttl:$fw_ttl" "$label-ipv6:6:$server_ttl:$fw_ttl")
done

log "deriving the verdict table"
node "$LAB_DIR/verdict-table.mjs" "$WORK/out" \
  --server4 "$SERVER4" --server6 "$SERVER6" --client4 "$CLIENT4" --client6 "$CLIENT6" \
  --listen "$LISTEN_PORT" --firewalled "$FIREWALLED_PORT" --closed "$CLOSED_PORT" \
  --attempts "$ATTEMPTS" --pings "$((PINGS + 1))" --hops-to-server 3 --hops-to-fw 1 \
  --dialects "$(IFS=,; echo "${DIALECTS[*]}")" \
  "${SCENARIOS[@]}"

cat >"$WORK/out/README.md" <<EOF
# Lab captures with known answers

Generated by \`scripts/lab/run.sh\` (\`npm run lab\`, as root) on $(date -u +%Y-%m-%dT%H:%M:%SZ).
Do not edit by hand: re-run the lab. CI does not run it; \`test/core/lab.test.ts\` checks the
analyzer against these committed files.

## Provenance

- $(tcpdump --version 2>&1 | head -1), $(tcpdump --version 2>&1 | sed -n 2p)
- iptables: $(iptables --version)
- kernel: $(uname -srm)
- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), node $(node --version)

## Topology (network namespaces and veth pairs only; no default route, no link to the host)

\`\`\`
client ($NS_CLIENT) c-r1  $CLIENT4  $CLIENT6
   |                 r1-c  $R1_C4  $R1_C6
r1 ($NS_R1, forwards)
   |                 r1-fw $R1_F4  $R1_F6
   |                 fw-r1 $FW_R4  $FW_R6
fw ($NS_FW, forwards; REJECT --reject-with tcp-reset for TCP dport $FIREWALLED_PORT)
   |                 fw-r2 $FW_S4  $FW_S6
   |                 r2-fw $R2_F4  $R2_F6
r2 ($NS_R2, forwards)
   |                 r2-s  $R2_S4  $R2_S6
server ($NS_SERVER) s-r2  $SERVER4  $SERVER6
\`\`\`

Server ports: $LISTEN_PORT listening (node \`scripts/lab/listener.mjs\`, echoes then closes),
$FIREWALLED_PORT firewalled at fw (forged RST from 1 hop), $CLOSED_PORT closed (the server
kernel's own RST, 3 hops).

Firewall rules, in \`$NS_FW\`:

\`\`\`
iptables  -A FORWARD -p tcp --dport $FIREWALLED_PORT -j REJECT --reject-with tcp-reset
ip6tables -A FORWARD -p tcp --dport $FIREWALLED_PORT -j REJECT --reject-with tcp-reset
\`\`\`

Scenarios (initial TTL / hop limit set per namespace with \`net.ipv4.ip_default_ttl\`,
\`net.ipv6.conf.{all,default,<dev>}.hop_limit\`):

- \`ttl64-*\`: server 64, fw 64 (Linux defaults).
- \`ttl128-*\`: server 128, fw 255.

## Traffic, per capture (one family each)

From the client: \`ping -c $PINGS -i 0.2\` to the server; \`node scripts/lab/client.mjs\`: one
exchange with port $LISTEN_PORT (data, echo, FIN close), $ATTEMPTS connection attempts to
$FIREWALLED_PORT, $ATTEMPTS to $CLOSED_PORT; one more ping. \`*.client.jsonl\` is what the
client saw for each attempt.

## Commands

Capture (inside \`$NS_CLIENT\`): \`timeout 30 tcpdump -i c-r1 -n --immediate-mode -U -c 1000 -w NAME.pcap\`,
stopped with SIGTERM once the last echo reply is in the file (and its packet count checked
against tcpdump's own "N packets captured"). Rendering, stdout only:

\`\`\`
$(for entry in "${DIALECTS[@]}"; do echo "TZ=UTC tcpdump -r NAME.pcap ${entry#*:} > NAME.${entry%%:*}.txt"; done)
\`\`\`

## Expected verdicts: \`expected.json\`

For every rendered text: the 1-based line numbers of RST packets (the packet's first line, the one
with the timestamp) that fw forged (source port $FIREWALLED_PORT, must be warned about) and that
the server really sent (source port $CLOSED_PORT, must not be warned about). Derived by
\`scripts/lab/verdict-table.mjs\` from the lab's ports and addresses by reading each RST line's
source address and port, and checked against the number of attempts the client made; never from
the analyzer.

## TTLs observed at the client (from the \`-nv\` texts)

$(cat "$WORK/out/ttl-summary.md")
EOF
rm "$WORK/out/ttl-summary.md"

mkdir -p "$OUT"
rm -f "$OUT"/*.pcap "$OUT"/*.txt "$OUT"/*.jsonl "$OUT"/expected.json "$OUT"/README.md
cp "$WORK"/out/* "$OUT"/
log "wrote $(find "$OUT" -maxdepth 1 -type f | wc -l) files to $OUT"
