// Derives the lab's expected verdicts from what the lab did, never from our analyzer: an RST whose
// source is the server and whose source port is the firewalled port was forged by fw; one from
// the closed port is the server kernel's own. Also checks the captures against the lab's design
// (one RST per attempt, TTLs as configured) and fails loudly when they disagree.
//
// usage: node verdict-table.mjs OUTDIR --server4 A --server6 A --client4 A --client6 A
//          --listen P --firewalled P --closed P --attempts N --pings N
//          --hops-to-server N --hops-to-fw N --dialects suffix:flags,...  NAME:FAMILY:SERVER_TTL:FW_TTL...
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const outDir = args.shift();
const opt = {};
const scenarios = [];
while (args.length) {
  const a = args.shift();
  if (a.startsWith('--')) opt[a.slice(2)] = args.shift();
  else scenarios.push(a);
}
const num = (k) => Number(opt[k]);
const dialects = opt.dialects
  .split(',')
  .map((d) => ({ suffix: d.slice(0, d.indexOf(':')), flags: d.slice(d.indexOf(':') + 1) }));

const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
};

// `addr.port > addr.port: Flags [..]` — tcpdump 4.x's TCP summary, the same in every dialect here.
const TCP_SUMMARY = /(?:^|\s)(\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]/;
// `addr > addr: ICMP echo reply` / `ICMP6, echo reply` (-v puts `[icmp6 sum ok] ` before ICMP6).
const ICMP_SUMMARY = /(?:^|\s)(\S+) > (\S+): (?:\[[^\]]*\] )?ICMP6?,? (echo (?:request|reply))/;
const TTL = /\b(?:ttl|hlim) (\d+)\b/;

/** Lines of a rendered text grouped into packets: a packet starts on a line with no leading blank. */
function packetsOf(lines) {
  const packets = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    if (!/^\s/.test(lines[i]) || packets.length === 0) packets.push({ startLine: i + 1, text: lines[i] });
    else packets[packets.length - 1].text += `\n${lines[i]}`;
  }
  return packets;
}

const table = { generatedBy: 'scripts/lab/run.sh', lab: { ...opt, dialects: undefined }, files: {} };
const observed = new Map(); // scenario → kind → Set of TTLs

for (const spec of scenarios) {
  const [name, familyText, serverTtlText, fwTtlText] = spec.split(':');
  const family = Number(familyText);
  const server = family === 4 ? opt.server4 : opt.server6;
  const client = family === 4 ? opt.client4 : opt.client6;
  const serverTtl = Number(serverTtlText);
  const fwTtl = Number(fwTtlText);

  const clientResults = fs
    .readFileSync(path.join(outDir, `${name}.client.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  for (const r of clientResults) {
    const want = r.role === 'listening' ? 'echoed' : 'ECONNREFUSED';
    check(
      r.outcome === want,
      `${name}: client attempt to port ${r.port} (${r.role}) ended ${r.outcome}, expected ${want}`,
    );
  }

  for (const { suffix, flags } of dialects) {
    const file = `${name}.${suffix}.txt`;
    const lines = fs.readFileSync(path.join(outDir, file), 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const forged = [];
    const genuine = [];
    let synsToFirewalled = 0;
    let synsToClosed = 0;
    let echoReplies = 0;
    let ttlsPrinted = 0;
    const kinds = new Map();
    const note = (kind, ttl) => {
      if (ttl === undefined) return;
      if (!kinds.has(kind)) kinds.set(kind, new Set());
      kinds.get(kind).add(ttl);
    };

    for (const p of packetsOf(lines)) {
      const ttlMatch = TTL.exec(p.text);
      const ttl = ttlMatch ? Number(ttlMatch[1]) : undefined;
      if (ttl !== undefined) ttlsPrinted++;
      const tcp = TCP_SUMMARY.exec(p.text);
      if (tcp) {
        const [, src, sport, dst, dport, tcpFlags] = tcp;
        if (src === client && dst === server && tcpFlags === 'S') {
          if (Number(dport) === num('firewalled')) synsToFirewalled++;
          if (Number(dport) === num('closed')) synsToClosed++;
        }
        if (tcpFlags.includes('R')) {
          const where = `${file}:${p.startLine}`;
          if (src === server && Number(sport) === num('firewalled')) {
            forged.push(p.startLine);
            note('forged RST (fw, claims the server)', ttl);
            if (ttl !== undefined)
              check(
                ttl === fwTtl - num('hops-to-fw'),
                `${where}: forged RST has TTL ${ttl}, expected ${fwTtl - num('hops-to-fw')}`,
              );
          } else if (src === server && Number(sport) === num('closed')) {
            genuine.push(p.startLine);
            note('genuine RST (server kernel, closed port)', ttl);
            if (ttl !== undefined)
              check(
                ttl === serverTtl - num('hops-to-server'),
                `${where}: genuine RST has TTL ${ttl}, expected ${serverTtl - num('hops-to-server')}`,
              );
          } else {
            problems.push(`${where}: RST the lab did not plan for: ${p.text}`);
          }
        } else if (src === server) {
          note(`server TCP, port ${sport}`, ttl);
          if (ttl !== undefined)
            check(ttl === serverTtl - num('hops-to-server'), `${file}:${p.startLine}: server TCP has TTL ${ttl}`);
        } else if (src === client) {
          note('client TCP (sent from the capture point)', ttl);
        }
        continue;
      }
      const icmp = ICMP_SUMMARY.exec(p.text);
      if (icmp && icmp[1] === server && icmp[3] === 'echo reply') {
        echoReplies++;
        note('server echo reply', ttl);
        if (ttl !== undefined)
          check(ttl === serverTtl - num('hops-to-server'), `${file}:${p.startLine}: echo reply has TTL ${ttl}`);
      } else if (icmp && icmp[1] === client) {
        note('client echo request (sent from the capture point)', ttl);
      } else if (ttl !== undefined) {
        note('other sources (IPv6 neighbour discovery, MLD)', ttl);
      }
    }

    const ttlPrinted = flags.includes('v');
    check(
      ttlPrinted ? ttlsPrinted > 0 : ttlsPrinted === 0,
      `${file}: ${ttlsPrinted} packets with a TTL, expected ${ttlPrinted ? 'some' : 'none'}`,
    );
    check(
      synsToFirewalled === num('attempts'),
      `${file}: ${synsToFirewalled} SYNs to the firewalled port, expected ${num('attempts')}`,
    );
    check(
      synsToClosed === num('attempts'),
      `${file}: ${synsToClosed} SYNs to the closed port, expected ${num('attempts')}`,
    );
    check(forged.length === num('attempts'), `${file}: ${forged.length} forged RSTs, expected ${num('attempts')}`);
    check(genuine.length === num('attempts'), `${file}: ${genuine.length} genuine RSTs, expected ${num('attempts')}`);
    check(echoReplies === num('pings'), `${file}: ${echoReplies} echo replies, expected ${num('pings')}`);

    table.files[file] = {
      pcap: `${name}.pcap`,
      tcpdumpFlags: flags,
      family,
      server,
      serverInitialTtl: serverTtl,
      firewallInitialTtl: fwTtl,
      ttlPrinted,
      lineCount: lines.length,
      forgedRstLines: forged,
      genuineRstLines: genuine,
    };
    if (suffix === 'nv') observed.set(name, kinds);
  }
}

if (problems.length) {
  console.error(`verdict-table: the captures disagree with the lab's design:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
fs.writeFileSync(path.join(outDir, 'expected.json'), `${JSON.stringify(table, null, 2)}\n`);

const md = ['| capture | packet kind | TTL / hop limit |', '| --- | --- | --- |'];
for (const [name, kinds] of observed) {
  for (const [kind, ttls] of kinds) md.push(`| ${name} | ${kind} | ${[...ttls].sort((a, b) => a - b).join(', ')} |`);
}
fs.writeFileSync(path.join(outDir, 'ttl-summary.md'), `${md.join('\n')}\n`);
console.log(md.join('\n'));
