import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { itWithShared, sharedPath } from '../support/shared';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR = path.join(REPO_ROOT, 'syntaxes', 'tcpdump.tmLanguage.json');
const TEST_GLOB = 'test/grammar/*.test.tcpdump';

// vscode-textmate and vscode-oniguruma come with vscode-tmgrammar-test; resolving them from
// its package keeps this working whether or not npm hoists them.
const TMGRAMMAR_PKG = path.join(REPO_ROOT, 'node_modules', 'vscode-tmgrammar-test', 'package.json');
const fromTmgrammar = createRequire(TMGRAMMAR_PKG);

function tmgrammarTestBin(): string {
  const pkg = JSON.parse(fs.readFileSync(TMGRAMMAR_PKG, 'utf8')) as { bin: Record<string, string> };
  return path.join(path.dirname(TMGRAMMAR_PKG), pkg.bin['vscode-tmgrammar-test']);
}

function runTmgrammarTest(extraArgs: string[]): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [tmgrammarTestBin(), ...extraArgs, TEST_GLOB], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

// Runs the assertion files against a copy of the grammar with one scope renamed, so we know
// the assertions would notice that kind of regression.
function runAgainstMutatedGrammar(from: string, to: string): { code: number | null; output: string } {
  const original = fs.readFileSync(GRAMMAR, 'utf8');
  assert.ok(original.includes(from), `grammar no longer contains ${from}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpdump-grammar-'));
  try {
    fs.writeFileSync(path.join(dir, 'grammar.json'), original.split(from).join(to));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        contributes: { grammars: [{ language: 'tcpdump', scopeName: 'source.tcpdump', path: './grammar.json' }] },
      }),
    );
    return runTmgrammarTest(['--config', path.join(dir, 'package.json')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface TokenizeResult {
  tokens: Token[];
  ruleStack: unknown;
  stoppedEarly: boolean;
}
interface Grammar {
  tokenizeLine(line: string, state: unknown): TokenizeResult;
}

async function loadGrammar(): Promise<{ grammar: Grammar; initial: unknown }> {
  const textmate = fromTmgrammar('vscode-textmate') as {
    Registry: new (options: unknown) => { loadGrammar(scope: string): Promise<Grammar | null> };
    parseRawGrammar(content: string, filePath: string): unknown;
    INITIAL: unknown;
  };
  const oniguruma = fromTmgrammar('vscode-oniguruma') as {
    loadWASM(data: ArrayBuffer): Promise<void>;
    OnigScanner: new (patterns: string[]) => unknown;
    OnigString: new (s: string) => unknown;
  };
  const wasm = fs.readFileSync(path.join(path.dirname(fromTmgrammar.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR),
  });
  const grammar = await registry.loadGrammar('source.tcpdump');
  assert.ok(grammar, 'source.tcpdump did not load');
  return { grammar, initial: textmate.INITIAL };
}

function longestCorpusLine(): { file: string; lineNumber: number; text: string } {
  const corpus = sharedPath('corpus');
  let best = { file: '', lineNumber: 0, text: '' };
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      // pcaps are binary and the oracle CSVs are tshark's, not tcpdump's text.
      else if (!/\.(pcap|pcapng|csv)$/.test(entry.name)) {
        fs.readFileSync(full, 'latin1')
          .split(/\r\n|\r|\n/)
          .forEach((text, i) => {
            if (text.length > best.text.length)
              best = { file: path.relative(sharedPath(), full), lineNumber: i + 1, text };
          });
      }
    }
  };
  visit(corpus);
  return best;
}

// Scans one Oniguruma pattern for a quantified group that itself contains a quantifier
// ("(a+)+", "(?:\d{1,3}\.){3}"): the shape that can backtrack badly on long lines.
function nestedQuantifiers(pattern: string): string[] {
  const found: string[] = [];
  const groups: { start: number; hasQuantifier: boolean }[] = [];
  const quantifierLength = (at: number): number => {
    const c = pattern[at];
    if (c === '*' || c === '+' || c === '?') return 1;
    const m = c === '{' ? /^\{\d*(,\d*)?\}/.exec(pattern.slice(at)) : null;
    return m && m[0] !== '{}' && m[0] !== '{,}' ? m[0].length : 0;
  };
  const markEnclosingGroup = (): void => {
    if (groups.length > 0) groups[groups.length - 1].hasQuantifier = true;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '(') {
      groups.push({ start: i, hasQuantifier: false });
      i += pattern[i + 1] === '?' ? 2 : 1;
      continue;
    }
    let closed: { start: number; hasQuantifier: boolean } | undefined;
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === ')') {
      closed = groups.pop();
      i++;
    } else {
      i++;
    }
    const q = quantifierLength(i);
    if (q > 0) {
      if (closed?.hasQuantifier) found.push(pattern.slice(closed.start, i + q));
      i += q;
      // a lazy or possessive suffix belongs to the quantifier just read
      if (pattern[i] === '?' || pattern[i] === '+') i++;
      markEnclosingGroup();
    } else if (closed?.hasQuantifier) {
      markEnclosingGroup();
    }
  }
  return found;
}

function grammarPatterns(): string[] {
  const patterns: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') patterns.push(value);
        else walk(value);
      }
    }
  };
  walk(JSON.parse(fs.readFileSync(GRAMMAR, 'utf8')));
  return patterns;
}

describe('TextMate grammar (syntaxes/tcpdump.tmLanguage.json)', function () {
  this.timeout(120000);

  it('passes every assertion in test/grammar/*.test.tcpdump (vscode-tmgrammar-test, grammar as package.json wires it)', () => {
    const files = fs.readdirSync(path.join(REPO_ROOT, 'test', 'grammar')).filter((f) => f.endsWith('.test.tcpdump'));
    assert.ok(files.length >= 5, `expected the assertion files, found ${files.join(', ')}`);
    const r = runTmgrammarTest([]);
    if (r.code !== 0) assert.fail(`vscode-tmgrammar-test exited ${r.code}:\n${r.output}`);
    for (const f of files)
      assert.match(r.output, new RegExp(`test/grammar/${f.replace(/\./g, '\\.')} run successfuly`), r.output);
  });

  it('the assertions fail when RST flags get the ordinary flag scope', () => {
    const r = runAgainstMutatedGrammar(
      'markup.deleted.flags.tcp.reset.tcpdump strong',
      'keyword.control.flags.tcp.tcpdump',
    );
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /markup\.deleted\.flags\.tcp\.reset\.tcpdump/);
  });

  it('the assertions fail when bad checksums lose the invalid scope', () => {
    const r = runAgainstMutatedGrammar('invalid.illegal.checksum.tcpdump', 'constant.numeric.hex.checksum.tcpdump');
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /invalid\.illegal\.checksum\.tcpdump/);
  });

  it('has no nested quantifiers in any pattern', () => {
    assert.deepEqual(nestedQuantifiers(String.raw`(?:\d{1,3}\.){3}\d{1,3}`), [String.raw`(?:\d{1,3}\.){3}`]);
    assert.deepEqual(nestedQuantifiers('(a+)+b'), ['(a+)+']);
    assert.deepEqual(nestedQuantifiers(String.raw`\b(?:IP6?|TCP)\b(?=[ ,]|$)[^)]{0,20}\(`), []);
    const patterns = grammarPatterns();
    assert.ok(patterns.length > 20, 'grammar patterns not found');
    assert.deepEqual(
      patterns.flatMap((p) => nestedQuantifiers(p).map((n) => `${n}  in  ${p}`)),
      [],
    );
  });

  itWithShared(
    'tokenizes the longest line of the shared corpus and a real 80,008-character -A line to the end',
    ['corpus'],
    async () => {
      const { grammar, initial } = await loadGrammar();
      const fixture = path.join(REPO_ROOT, 'test', 'grammar', 'fixtures', 'bigtcp-ipv6-hbh.nA.txt');
      const aLine = fs
        .readFileSync(fixture, 'latin1')
        .split('\n')
        .reduce((a, b) => (b.length > a.length ? b : a));
      const corpus = longestCorpusLine();
      for (const { label, text } of [
        { label: `${corpus.file}:${corpus.lineNumber}`, text: corpus.text },
        { label: 'test/grammar/fixtures/bigtcp-ipv6-hbh.nA.txt', text: aLine },
      ]) {
        const started = process.hrtime.bigint();
        const result = grammar.tokenizeLine(text, initial);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        console.log(
          `      tokenized ${label}: ${text.length} characters, ${result.tokens.length} tokens in ${ms.toFixed(1)} ms`,
        );
        assert.equal(result.stoppedEarly, false);
        assert.equal(result.tokens[result.tokens.length - 1].endIndex >= text.length, true);
      }
    },
  );
});
