import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/core/analyze';
import { renderCaptureAsText } from '../../server/src/core/capture';
import { captureName, encodePcapRecord, planCapture, writeCapture } from '../../scripts/bench/generate';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';
import { describeFinding } from '../../server/src/core/describe';

/*
 * tcpdumpLens/analyzeCaptureFile over real LSP (node dist/server.js --stdio): the server streams a
 * file from disk that is not open in the editor, reports work-done progress by bytes read, stops
 * when cancelled, and publishes the findings for the file's URI.
 */

const METHOD = 'tcpdumpLens/analyzeCaptureFile';
type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;
const REQUEST_CANCELLED = -32800;

describe('Analyze Capture File (tcpdumpLens/analyzeCaptureFile)', function () {
  this.timeout(60000);
  let dir: string;
  let big: string;
  let bigText: string;
  let client: LspTestClient;
  let progress: Map<string | number, Progress[]>;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lens-capture-file-'));
    // About 8 MB printed by the real tcpdump: several 1 MB reads, so several progress reports.
    writeCapture(dir, 'nv', 4000, 3);
    const block = readFileSync(path.join(dir, `${captureName('nv', 4000)}.txt`), 'utf8');
    big = path.join(dir, 'big capture #1.txt');
    writeFileSync(big, '');
    for (let i = 0; i < 8; i++) appendFileSync(big, block);
    bigText = readFileSync(big, 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    client = new LspTestClient();
    progress = new Map();
    client.connection.onNotification('$/progress', (p: { token: string | number; value: Progress }) => {
      const list = progress.get(p.token) ?? [];
      list.push(p.value);
      progress.set(p.token, list);
    });
    await client.initialize('en', { window: { workDoneProgress: true } });
  });
  afterEach(async () => {
    await client.shutdown();
  });

  it("streams a file that is not open, with progress by bytes, and publishes analyze()'s findings for its URI", async () => {
    const uri = pathToFileURL(big).href;
    const result = await client.connection.sendRequest<Record<string, unknown>>(METHOD, {
      uri,
      workDoneToken: 'run-1',
    });
    const want = analyze(bigText).findings;
    assert.deepEqual(result, {
      uri,
      format: 'text',
      bytes: Buffer.byteLength(bigText),
      packets: analyze(bigText).packets.length,
      warnings: want.filter((f) => f.severity === 'warning').length,
      findings: want.length,
    });
    assert.ok(result.warnings > 8);

    const diagnostics = await client.diagnosticsFor(uri, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.code, d.message]),
      want.map((f) => [f.startLine, f.code, describeFinding(f, 'en')]),
    );

    const events = progress.get('run-1') ?? [];
    assert.equal(events[0].kind, 'begin');
    assert.equal(events[0].cancellable, true);
    assert.equal(events[events.length - 1].kind, 'end');
    const percents = events.filter((e): e is WorkDoneProgressReport => e.kind === 'report').map((e) => e.percentage!);
    assert.ok(percents.length >= 5, `only ${percents.length} progress reports: ${percents.join(', ')}`);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      'progress went backwards',
    );
    assert.ok(percents[percents.length - 1] >= 90);
  });

  it("a pcap: decoded on the server, findings published for the pcap's own URI", async () => {
    const pcap = path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap');
    const uri = pathToFileURL(pcap).href;
    const result = await client.connection.sendRequest<Record<string, unknown>>(METHOD, {
      path: pcap,
      workDoneToken: 'pcap',
    });
    assert.equal(result.format, 'pcap');
    assert.equal(result.uri, uri);
    const diagnostics = await client.diagnosticsFor(uri, (d) => d.length > 0);
    const text = analyze(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.nv.txt'), 'utf8'));
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 2).map((d) => d.message),
      text.findings.filter((f) => f.severity === 'warning').map((f) => describeFinding(f, 'en')),
    );
  });

  /** What the request must answer for a capture: analyze() of the text the decoder prints of it. */
  function expectedFor(file: string): Record<string, unknown> {
    const bytes = readFileSync(file);
    const text = renderCaptureAsText(bytes).text;
    const want = analyze(text);
    return {
      uri: pathToFileURL(file).href,
      format: bytes.readUInt32BE(0) === 0x0a0d0d0a ? 'pcapng' : 'pcap',
      bytes: bytes.length,
      packets: want.packets.length,
      warnings: want.findings.filter((f) => f.severity === 'warning').length,
      findings: want.findings.length,
    };
  }

  it('a generated multi-MB pcap, streamed frame by frame: progress by bytes, the whole-file result', async () => {
    const file = path.join(dir, 'generated.pcap');
    const buf = Buffer.alloc(16 << 20);
    buf.writeUInt32LE(0xa1b2c3d4, 0);
    buf.writeUInt16LE(2, 4);
    buf.writeUInt16LE(4, 6);
    buf.writeUInt32LE(262144, 16);
    buf.writeUInt32LE(1, 20);
    let at = 24;
    planCapture(40000, 7, 'nv', (p) => {
      at += encodePcapRecord(p, buf, at);
    });
    writeFileSync(file, buf.subarray(0, at));
    const result = await client.connection.sendRequest<Record<string, unknown>>(METHOD, {
      path: file,
      workDoneToken: 'gen',
    });
    assert.deepEqual(result, expectedFor(file));
    assert.ok((result.warnings as number) > 0);
    const percents = (progress.get('gen') ?? [])
      .filter((e): e is WorkDoneProgressReport => e.kind === 'report')
      .map((e) => e.percentage!);
    assert.ok(percents.length >= 3, `only ${percents.length} progress reports: ${percents.join(', ')}`);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      'progress went backwards',
    );
  });

  it('a truncated pcap: the frames before the cut analysed, the damage logged, as a whole-file decode', async () => {
    const whole = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap'));
    const file = path.join(dir, 'cut.pcap');
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const logs: string[] = [];
    client.connection.onNotification('window/logMessage', (m: { message: string }) => {
      logs.push(m.message);
    });
    const result = await client.connection.sendRequest<Record<string, unknown>>(METHOD, { path: file });
    assert.deepEqual(result, expectedFor(file));
    assert.ok(
      logs.some((l) => /^cut\.pcap: pcap (record header of )?frame \d+ truncated/.test(l)),
      logs.join('\n'),
    );
  });

  it('a pcap without frames is an error that says why', async () => {
    const file = path.join(dir, 'header-only.pcap');
    writeFileSync(
      file,
      readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap')).subarray(0, 30),
    );
    await assert.rejects(
      client.connection.sendRequest(METHOD, { path: file }),
      /cannot decode header-only\.pcap: pcap record header of frame 1 truncated at byte 24/,
    );
  });

  it('$/cancelRequest stops it: the request fails as cancelled, nothing is published', async () => {
    const uri = pathToFileURL(big).href;
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest(METHOD, { uri, workDoneToken: 'run-2' }, source.token);
    // Cancel as soon as the first report shows it is reading.
    for (let i = 0; i < 400 && !(progress.get('run-2') ?? []).some((e) => e.kind === 'report'); i++)
      await new Promise((r) => setTimeout(r, 10));
    source.cancel();
    await assert.rejects(pending, (e: { code?: number }) => e.code === REQUEST_CANCELLED);
    const events = progress.get('run-2') ?? [];
    assert.equal(events[events.length - 1].kind, 'end');
    const last = events.filter((e): e is WorkDoneProgressReport => e.kind === 'report').pop();
    assert.ok(last && last.percentage! < 90, `cancelled only at ${last?.percentage}%`);
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(client.diagnosticsFor(uri, () => true, 200));
  });

  it("without a token the server asks for one, and the progress's own cancel (window/workDoneProgress/cancel) stops it", async () => {
    let token: string | number | undefined;
    client.connection.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      token = p.token;
      return null;
    });
    const uri = pathToFileURL(big).href;
    const pending = client.connection.sendRequest(METHOD, { uri });
    for (
      let i = 0;
      i < 400 && !(token !== undefined && (progress.get(token) ?? []).some((e) => e.kind === 'report'));
      i++
    )
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(token !== undefined, 'the server did not create a progress');
    await client.connection.sendNotification('window/workDoneProgress/cancel', { token });
    await assert.rejects(pending, (e: { code?: number }) => e.code === REQUEST_CANCELLED);
    await assert.rejects(client.diagnosticsFor(uri, () => true, 200));
  });

  it('a line over the 1 MiB line limit: its excess skipped and logged, the lines after it read', async () => {
    const seed = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8').split('\n');
    const long = `${seed[1]} ${'x'.repeat(3 << 20)}`;
    const file = path.join(dir, 'long line.txt');
    writeFileSync(file, [seed[0], long, ...seed.slice(2)].join('\n'));
    const logs: string[] = [];
    client.connection.onNotification('window/logMessage', (m: { message: string }) => {
      logs.push(m.message);
    });
    const result = await client.connection.sendRequest<Record<string, unknown>>(METHOD, {
      path: file,
      workDoneToken: 'long',
    });
    assert.equal(result.packets, 14);
    assert.equal(result.warnings, 3, 'the three forged RSTs, the one on the long line included');
    assert.ok(
      logs.includes(
        `long line.txt: line 2 is ${long.length} characters long, more than any tcpdump line: read its first 1048576, skipped the rest`,
      ),
      logs.join('\n'),
    );
  });

  it('UTF-16 text (Windows PowerShell >): decoded by its byte-order mark, the findings of the UTF-8 file', async () => {
    const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt');
    const text = readFileSync(fixture, 'utf8');
    const file = path.join(dir, 'utf-16.txt');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]),
    );
    const uri = pathToFileURL(file).href;
    const result = await client.connection.sendRequest<Record<string, unknown>>(METHOD, {
      uri,
      workDoneToken: 'utf-16',
    });
    const want = analyze(text).findings;
    assert.equal(result.packets, 14);
    assert.equal(result.warnings, 3);
    const diagnostics = await client.diagnosticsFor(uri, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.code, d.message]),
      want.map((f) => [f.startLine, f.code, describeFinding(f, 'en')]),
    );
  });

  it('a missing file or a bad URI is an error that says so', async () => {
    await assert.rejects(
      client.connection.sendRequest(METHOD, { path: path.join(dir, 'nope.txt') }),
      /cannot read .*nope\.txt/,
    );
    await assert.rejects(
      client.connection.sendRequest(METHOD, { uri: 'https://example.invalid/x.txt' }),
      /not a file URI/,
    );
    await assert.rejects(client.connection.sendRequest(METHOD, {}), /expected \{ uri \} or \{ path \}/);
  });
});
