import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import {
  COPY_REPORT_COMMAND,
  COPY_TEXT_COMMAND,
  REPORT_METHOD,
  SHOW_HOP_MAP_COMMAND,
  SHOW_PACKETS_COMMAND,
  type ReportResponse,
} from '../../server/src/protocol';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

/*
 * Issue 15, editor side, over the in-process LSP connection: the report request (the report in the
 * client's language, the status-bar facts, the devices tree) and the quick fixes on each finding.
 * The seed's report is a golden file per language (UPDATE_GOLDEN=1 rewrites them).
 */

const fixture = (name: string): string => readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', name), 'utf8');
const SEED = fixture('seed-firewall-rst.txt');
const SEED_URI = 'file:///captures/seed-firewall-rst.txt';
const NO_TTL_URI = 'file:///captures/seed.n.tcpdump';
const GOLDEN = path.join(REPO_ROOT, 'test', 'fixtures', 'reports');

function codeActions(
  client: LspTestClient,
  uri: string,
  line: number,
  diagnostics: Diagnostic[] = [],
): Promise<CodeAction[]> {
  return client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    context: { diagnostics, triggerKind: 1 },
  });
}

function report(client: LspTestClient, uri: string, device?: number): Promise<ReportResponse> {
  return client.connection.sendRequest(REPORT_METHOD, device === undefined ? { uri } : { uri, device });
}

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

for (const locale of ['en', 'ja'] as const) {
  describe(`report and code actions over LSP (${locale})`, () => {
    let client: LspTestClient;
    const ja = locale === 'ja';

    before(async () => {
      client = new LspTestClient();
      const init = await client.initialize(locale);
      const caps = init.capabilities as { codeActionProvider?: { codeActionKinds?: string[] } };
      assert.deepEqual(caps.codeActionProvider?.codeActionKinds, ['quickfix']);
      await client.open(SEED_URI, SEED);
      await client.open(NO_TTL_URI, fixture('seed-4x/seed-firewall-rst.n.txt'));
    });
    after(() => client.shutdown());

    it('the seed report: golden, with the distance, the claimed host, the three RSTs and the owner message', async () => {
      const r = await report(client, SEED_URI);
      assert.ok(r);
      golden(`seed-firewall-rst.${locale}.md`, r.markdown);
      const md = r.markdown;
      assert.match(
        md,
        ja ? /# tcpdump Lens レポート: `seed-firewall-rst\.txt`/ : /# tcpdump Lens report: `seed-firewall-rst\.txt`/,
      );
      assert.match(
        md,
        ja
          ? /デバイス #1: キャプチャ地点から 1 ホップ、`192\.168\.40\.129` の 2 ホップ手前/
          : /Device #1: 1 hop from the capture point, 2 hops before `192\.168\.40\.129`/,
      );
      assert.match(
        md,
        ja ? /`192\.168\.40\.129` 自身のパケットは 3 ホップ先/ : /`192\.168\.40\.129`'s own packets arrive from 3 hops/,
      );
      const rows = md.split('\n').filter((l) => l.includes('192.168.31.128:49169 → 192.168.40.129:22'));
      assert.deepEqual(
        rows.map((l) => /(?:line|行) (\d+)/.exec(l)?.[1]),
        ['2', '4', '6'],
        'one row per forged RST',
      );
      assert.match(
        md,
        ja
          ? /`192\.168\.40\.129` の 2 ホップ手前 \(ここから 1 ホップ\) にファイアウォールかロードバランサーはありますか\? これらの RST はその機器が送った可能性が高いです。ポリシーを確認していただけますか。/
          : /Is there a firewall or load balancer 2 hops before `192\.168\.40\.129` \(1 hop from here\)\? These RSTs likely come from it — could you have its policy checked\?/,
      );
    });

    it('one device asked for: its part only; an unknown device: no device section', async () => {
      assert.equal((await report(client, SEED_URI, 1))!.markdown, (await report(client, SEED_URI))!.markdown);
      assert.doesNotMatch((await report(client, SEED_URI, 7))!.markdown, /#1/);
      assert.equal(await report(client, 'file:///not/open.txt'), null);
    });

    it('status facts and the devices tree: device → claimed host → connection → RSTs with their lines', async () => {
      const r = (await report(client, SEED_URI))!;
      assert.deepEqual(
        { ...r.status, summaries: r.status.summaries.length },
        {
          packets: 14,
          devices: 1,
          resets: 3,
          ttlPrinted: true,
          summaries: 1,
        },
      );
      assert.match(
        r.status.summaries[0],
        ja ? /^デバイス #1: / : /^device #1: 1 hop from the capture point, 2 hops before 192\.168\.40\.129/,
      );
      const [device] = r.tree;
      assert.equal(r.tree.length, 1);
      assert.equal(device.label, ja ? 'デバイス #1' : 'Device #1');
      const [source] = device.children!;
      assert.equal(source.label, '192.168.40.129');
      const [conversation] = source.children!;
      assert.equal(conversation.label, '192.168.31.128:49169 → 192.168.40.129:22');
      assert.deepEqual(
        conversation.children!.map((n) => [n.kind, n.line]),
        [
          ['reset', 1],
          ['reset', 3],
          ['reset', 5],
        ],
      );
      const none = (await report(client, NO_TTL_URI))!;
      assert.deepEqual([none.status.devices, none.status.ttlPrinted, none.tree.length], [0, false, 0]);
    });

    it("Ctrl+. on a forged RST: copy its device report, hop map, the claimed host's own packets", async () => {
      const diagnostics = await client.pullDiagnostics(SEED_URI);
      const warning = diagnostics.items.find((d) => d.range.start.line === 1)!;
      const actions = await codeActions(client, SEED_URI, 1, [warning]);
      assert.deepEqual(
        actions.map((a) => [a.title, a.kind, a.command?.command]),
        [
          [ja ? 'デバイス #1 のレポートをコピー' : 'Copy report for device #1', 'quickfix', COPY_REPORT_COMMAND],
          [ja ? 'ホップマップで表示' : 'Show in hop map', 'quickfix', SHOW_HOP_MAP_COMMAND],
          [
            ja ? '192.168.40.129 自身のパケットを表示' : "Show 192.168.40.129's own packets",
            'quickfix',
            SHOW_PACKETS_COMMAND,
          ],
        ],
      );
      assert.deepEqual(actions[0].command!.arguments, [SEED_URI, 1]);
      // Each action names the warning it fixes, as the client shows it.
      for (const a of actions) assert.deepEqual(a.diagnostics, [warning]);
      // The claimed host's own packets: its four echo replies (lines 8, 10, 12, 14), at their TTLs.
      const [uri, at, packets] = actions[2].command!.arguments as [
        string,
        { line: number },
        { line: number; start: number; end: number }[],
      ];
      assert.equal(uri, SEED_URI);
      assert.equal(at.line, 1);
      assert.deepEqual(
        packets.map((p) => p.line + 1),
        [8, 10, 12, 14],
      );
      const line8 = SEED.split('\n')[7];
      assert.equal(line8.slice(packets[0].start, packets[0].end), '61');
    });

    it('no actions on the packets around it, nor when only refactorings are asked for', async () => {
      assert.deepEqual(await codeActions(client, SEED_URI, 8), []);
      const only = await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: SEED_URI },
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
        context: { diagnostics: [], only: ['refactor'] },
      });
      assert.deepEqual(only, []);
    });

    it('the no-TTL note: copy the tcpdump -nv -r command', async () => {
      const actions = await codeActions(client, NO_TTL_URI, 0);
      assert.deepEqual(
        actions.map((a) => [a.title, a.command?.command, a.command?.arguments]),
        [
          [
            ja ? 'tcpdump -nv -r コマンドをコピー' : 'Copy the tcpdump -nv -r command',
            COPY_TEXT_COMMAND,
            ['tcpdump -nv -r <capture.pcap>'],
          ],
        ],
      );
    });
  });
}
