import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';

/*
 * Issue 15: one conclusion per forging device. On the seed capture and every lab scenario with
 * forging, exactly one device per forging middlebox, at its true distance, with every forged RST it
 * sent and no genuine one; on captures without forging, no device.
 */

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const read = (...parts: string[]): string => readFileSync(path.join(FIXTURES, ...parts), 'utf8');

describe('suspected devices (issue 15)', () => {
  it("the article's capture: one device 1 hop away, 2 hops before 192.168.40.129, with its three RSTs", () => {
    const a = analyze(read('seed-firewall-rst.txt'));
    assert.equal(a.devices.length, 1);
    const [d] = a.devices;
    assert.equal(d.id, 1);
    assert.equal(d.hops, 1);
    assert.equal(d.initialTtl, 64);
    assert.deepEqual(d.claimedSources, [{ address: '192.168.40.129', hostHops: 3, hopsBefore: 2 }]);
    assert.deepEqual(
      d.resets.map((r) => r.line + 1),
      [2, 4, 6],
    );
    assert.deepEqual(
      a.findings.filter((f) => f.severity === 'warning').map((f) => f.device),
      [1, 1, 1],
    );
    assert.ok(d.resets.every((r) => r.dst === '192.168.31.128' && r.src === '192.168.40.129' && r.moment === 'on-syn'));
  });

  it('the seed where the server resets itself: no device', () => {
    for (const name of readdirSync(path.join(FIXTURES, 'seed-4x')).filter(
      (n) => n.includes('genuine') && n.endsWith('.txt'),
    ))
      assert.deepEqual(analyze(read('seed-4x', name)).devices, [], name);
  });

  it('every lab capture that prints TTLs: one device, the firewall 1 hop away, with exactly the forged RSTs', () => {
    const table = JSON.parse(read('lab', 'expected.json')) as {
      lab: { 'hops-to-fw': string; 'hops-to-server': string };
      files: Record<string, { ttlPrinted: boolean; forgedRstLines: number[]; firewallInitialTtl: number }>;
    };
    let checked = 0;
    for (const [file, e] of Object.entries(table.files)) {
      const a = analyze(read('lab', file));
      if (!e.ttlPrinted) {
        assert.deepEqual(a.devices, [], `${file}: no TTLs, nothing to place a device by`);
        continue;
      }
      checked++;
      assert.equal(a.devices.length, 1, `${file}: ${a.devices.length} devices`);
      const [d] = a.devices;
      assert.equal(d.hops, Number(table.lab['hops-to-fw']), file);
      assert.equal(d.initialTtl, e.firewallInitialTtl, file);
      assert.deepEqual(
        d.resets.map((r) => r.line + 1),
        e.forgedRstLines,
        file,
      );
      assert.equal(
        d.claimedSources[0].hopsBefore,
        Number(table.lab['hops-to-server']) - Number(table.lab['hops-to-fw']),
      );
    }
    assert.ok(checked >= 12, `only ${checked} lab captures checked`);
  });

  it('real kernels and a firewall answering for a host (test/fixtures/ordinary): a device only for the firewall', () => {
    const table = JSON.parse(read('ordinary', 'expected.json')) as {
      files: Record<string, { resets: { line: number; truth: string }[] }>;
    };
    for (const [file, e] of Object.entries(table.files)) {
      const a = analyze(read('ordinary', file));
      const forged = e.resets.filter((r) => r.truth === 'forged').map((r) => r.line);
      const inDevices = a.devices.flatMap((d) => d.resets.map((r) => r.line + 1));
      assert.deepEqual(inDevices, forged, file);
      assert.ok(a.devices.length <= 1, `${file}: ${a.devices.length} devices for one firewall`);
    }
  });

  it('when a device struck: after 300 s of silence (clock timestamps), or answering the SYN', () => {
    const idle = analyze(read('signals', 'idle-then-forged-rst.nv.txt'));
    assert.equal(idle.devices.length, 1);
    assert.deepEqual(
      idle.devices[0].resets.map((r) => [r.moment, r.idleSeconds]),
      [['after-idle', 300.01]],
    );
    assert.equal(analyze(read('seed-firewall-rst.txt')).devices[0].resets[0].moment, 'on-syn');
    // Deltas are no clock: -ttt text of the same capture has no idle time to tell.
    const deltas = analyze(
      read('signals', 'idle-then-forged-rst.nv.txt').replace(/^09:3(\d):(\d\d\.\d+)/gm, ' 00:00:$2'),
    );
    assert.ok(deltas.packets.every((p) => p.timeIsDelta));
    assert.deepEqual(
      deltas.devices[0].resets.map((r) => [r.moment, r.idleSeconds]),
      [['mid-connection', undefined]],
    );
  });

  it('the signal fixtures built as genuine form no device', () => {
    const table = JSON.parse(read('signals', 'expected.json')) as {
      fixtures: Record<string, { resets: { status: string; confidence: string | null }[] }>;
    };
    for (const [file, e] of Object.entries(table.fixtures)) {
      const warned = e.resets.some((r) => r.status === 'suspicious' && r.confidence !== 'low');
      const a = analyze(read('signals', file));
      if (!warned) assert.deepEqual(a.devices, [], file);
      else assert.ok(a.devices.length >= 1 || a.findings.every((f) => f.device === undefined), file);
    }
  });
});
