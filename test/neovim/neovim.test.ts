import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A second real LSP client: Neovim's built-in one (CI apt-installs neovim 0.7), driving
// `node dist/server.js --stdio` exactly as an editor user would, through test/neovim/seed-session.lua.
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SERVER_JS = path.join(REPO_ROOT, 'dist', 'server.js');
const SESSION_LUA = path.join(__dirname, 'seed-session.lua');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  source?: string;
  code?: string | number;
  message: string;
}
interface SessionResult {
  diagnostics?: LspDiagnostic[];
  hover?: { contents: { kind: string; value: string } } | null;
  errors: string[];
}

function nvimVersion(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

/** One headless Neovim session: opens `capture`, collects pushed diagnostics and one hover. */
function runSession(capture: string, settings: Record<string, unknown>, hoverLine: number): SessionResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpdump-lens-nvim-'));
  try {
    const out = path.join(tmp, 'result.json');
    const r = spawnSync('nvim', ['--headless', '--clean', '-c', `luafile ${SESSION_LUA}`], {
      cwd: tmp,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
      env: {
        ...process.env,
        LENS_NODE: process.execPath,
        LENS_SERVER: SERVER_JS,
        LENS_CAPTURE: capture,
        LENS_SETTINGS: JSON.stringify(settings),
        LENS_HOVER_LINE: String(hoverLine),
        LENS_OUT: out,
        // Neovim writes its LSP log under these; keep them out of ~.
        XDG_CACHE_HOME: tmp,
        XDG_STATE_HOME: tmp,
        XDG_DATA_HOME: tmp,
        XDG_CONFIG_HOME: tmp,
      },
    });
    assert.ok(!r.error, `nvim did not finish: ${r.error?.message}\n${r.stderr}`);
    assert.ok(
      fs.existsSync(out),
      `nvim exited ${r.status} without writing a result\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
    return JSON.parse(fs.readFileSync(out, 'utf8')) as SessionResult;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const plain = (markdown: string): string => markdown.replace(/[*`]/g, '');

describe('Neovim (real LSP client) against dist/server.js', function () {
  this.timeout(60_000);

  before(function () {
    const version = nvimVersion();
    if (!version) {
      console.log('    skipped: `nvim` is not installed (apt-get install -y neovim); CI installs it, so there it runs');
      this.skip();
    }
    assert.ok(fs.existsSync(SERVER_JS), `${SERVER_JS} is missing: run \`npm run build\` first`);
  });

  it('seed capture: pushes the checksum-offload note (line 1) and exactly the three ttl-mismatch warnings (lines 2, 4, 6), and hovers the hop story', () => {
    const result = runSession(path.join(FIXTURES, 'seed-firewall-rst.txt'), {}, 1);
    assert.deepEqual(result.errors, []);
    const diagnostics = result.diagnostics ?? [];
    assert.deepEqual(
      diagnostics.map((d) => ({ line: d.range.start.line + 1, severity: d.severity, source: d.source, code: d.code })),
      [
        { line: 1, severity: 3, source: 'tcpdump-lens', code: 'checksum-offload' },
        ...[2, 4, 6].map((line) => ({ line, severity: 2, source: 'tcpdump-lens', code: 'ttl-mismatch' })),
      ],
    );
    for (const d of diagnostics.filter((x) => x.code === 'ttl-mismatch'))
      assert.match(d.message, /2 hops before 192\.168\.40\.129/);

    assert.ok(result.hover, 'no hover on line 2');
    assert.equal(result.hover.contents.kind, 'markdown');
    const hover = plain(result.hover.contents.value);
    assert.match(hover, /TTL 63 → initial 64 → 1 hop\b/);
    assert.match(hover, /2 hops before 192\.168\.40\.129/);
  });

  it('tcpdump 4.99 two-line -nv rendering: warnings on the RSTs at lines 3, 7, 11', () => {
    const result = runSession(path.join(FIXTURES, 'seed-4x', 'seed-firewall-rst.nv.txt'), {}, 2);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      (result.diagnostics ?? []).map((d) => [d.range.start.line + 1, d.code]),
      [[1, 'checksum-offload'], ...[3, 7, 11].map((line) => [line, 'ttl-mismatch'])],
    );
    assert.match(plain(result.hover?.contents.value ?? ''), /TTL 63 → initial 64 → 1 hop\b/);
  });

  it('tcpdumpLens.enable = false (answered through workspace/configuration): no warnings, no hover', () => {
    const result = runSession(path.join(FIXTURES, 'seed-firewall-rst.txt'), { enable: false }, 1);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.hover, null);
  });
});
