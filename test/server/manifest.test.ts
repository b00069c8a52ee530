import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describeBinaryCapture } from '../../server/src/core/describe';
import * as protocol from '../../server/src/protocol';
import { RENAMED_SETTINGS } from '../../server/src/protocol';
import { DEFAULT_SETTINGS } from '../../server/src/settings';
import { REPO_ROOT } from '../support/lspClient';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const NLS_EN = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
const NLS_JA = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.nls.ja.json'), 'utf8')) as Record<string, string>;

/**
 * The label the Settings UI derives from a key's last segment (extensions cannot give one): camelCase
 * split into words, first letter capitalized (settingsTreeModels.ts, wordifyKey). Older VS Code stops
 * there; newer versions (contrib/preferences/common/preferences.ts) also split a run of capitals
 * before a capitalized word (`AISearch` → `AI Search`), which turns `TTLs` into `TT Ls` — hence
 * `initialTTL`, which reads `Initial TTL` in both.
 */
function settingsLabel(key: string, splitCapitalRuns: boolean): string {
  let label = key.slice(key.lastIndexOf('.') + 1).replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  if (splitCapitalRuns) label = label.replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

describe('package.json manifest', () => {
  const props = manifest.contributes.configuration.properties as Record<
    string,
    {
      default: unknown;
      description?: string;
      markdownDescription?: string;
      order?: number;
      scope?: string;
      deprecationMessage?: string;
      markdownDeprecationMessage?: string;
    }
  >;

  it("declares every setting the server reads, with the server's defaults", () => {
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
      const p = props[`tcpdumpLens.${key}`];
      assert.ok(p, `tcpdumpLens.${key} is not contributed`);
      assert.deepEqual(p.default, value, `default of tcpdumpLens.${key}`);
      const description = p.description ?? p.markdownDescription;
      assert.ok(description, `tcpdumpLens.${key} has no description`);
      // localised through package.nls*.json: both languages must say something
      const nlsKey = /^%(.+)%$/.exec(description)?.[1];
      assert.ok(nlsKey, `tcpdumpLens.${key}'s description is not localised`);
      for (const nls of [NLS_EN, NLS_JA]) assert.ok(nls[nlsKey], `${nlsKey} missing from a package.nls file`);
    }
  });

  it('Restricted Mode: a workspace cannot change what is reported (restrictedConfigurations)', () => {
    const trust = manifest.capabilities.untrustedWorkspaces as {
      supported: unknown;
      description?: string;
      restrictedConfigurations?: string[];
    };
    // restrictedConfigurations only counts with "limited", which needs a description.
    assert.equal(trust.supported, 'limited');
    assert.match(trust.description ?? '', /^%.+%$/);
    const restricted = new Set(trust.restrictedConfigurations);
    // Every setting the server reads changes what it reports, but the hop-count hints: they only
    // annotate TTLs, so a workspace that hides them hides no finding.
    const unrestricted = Object.keys(DEFAULT_SETTINGS).filter((k) => !restricted.has(`tcpdumpLens.${k}`));
    assert.deepEqual(unrestricted, ['inlayHints.enable']);
    // Each restricted key is a contributed setting; case is ignored so that the planned
    // initialTtls -> initialTTLs rename is covered under both spellings.
    const contributed = new Set(Object.keys(props).map((k) => k.toLowerCase()));
    for (const key of restricted) assert.ok(contributed.has(key.toLowerCase()), `${key} is not a setting`);
  });

  it('localises every %key% in package.json in English and Japanese, with the same keys', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length >= 8);
    for (const k of keys) {
      assert.ok(NLS_EN[k], `package.nls.json lacks ${k}`);
      assert.ok(NLS_JA[k], `package.nls.ja.json lacks ${k}`);
    }
    assert.deepEqual(Object.keys(NLS_JA).sort(), Object.keys(NLS_EN).sort());
    assert.match(NLS_JA['tcpdumpLens.enable'], /[\u3040-\u30ff]/, 'the Japanese file is Japanese');
  });

  it('settings read in order (enable, confidence, initial TTL, the two spread rules, hints, trace) with a scope each', () => {
    const ordered = Object.entries(props)
      .filter(([, p]) => p.order !== undefined)
      .sort(([, a], [, b]) => a.order! - b.order!)
      .map(([k]) => k);
    assert.deepEqual(ordered, [
      'tcpdumpLens.enable',
      'tcpdumpLens.minimumConfidence',
      'tcpdumpLens.initialTTL',
      'tcpdumpLens.spreadBaseline.weakStepHops',
      'tcpdumpLens.spreadBaseline.farSourceHops',
      'tcpdumpLens.inlayHints.enable',
      'tcpdumpLens.trace.server',
    ]);
    // The server asks for settings per document (scopeUri): they may differ per folder. Tracing is the window's.
    for (const [key, p] of Object.entries(props))
      assert.equal(p.scope, key === 'tcpdumpLens.trace.server' ? 'window' : 'resource', `scope of ${key}`);
  });

  it('labels keep TTL an acronym, with and without the newer capital-run split', () => {
    assert.equal(settingsLabel('tcpdumpLens.initialTTL', false), 'Initial TTL');
    assert.equal(settingsLabel('tcpdumpLens.initialTTL', true), 'Initial TTL');
    assert.equal(settingsLabel('tcpdumpLens.initialTtls', false), 'Initial Ttls');
    assert.equal(settingsLabel('tcpdumpLens.initialTTLs', true), 'Initial TT Ls');
    for (const [key, p] of Object.entries(props)) {
      if (p.deprecationMessage) continue; // hidden from the Settings UI unless set
      for (const split of [false, true]) assert.doesNotMatch(settingsLabel(key, split), /Ttl|TT L/, key);
    }
  });

  it('the renamed initialTtls stays as a deprecated alias pointing at initialTTL, with the same schema', () => {
    for (const [now, before] of Object.entries(RENAMED_SETTINGS)) {
      const n = props[`tcpdumpLens.${now}`];
      const b = props[`tcpdumpLens.${before}`];
      assert.ok(n && b, `tcpdumpLens.${now} and tcpdumpLens.${before} are both contributed`);
      assert.equal(n.deprecationMessage, undefined);
      for (const message of [b.deprecationMessage, b.markdownDeprecationMessage]) {
        const nlsKey = /^%(.+)%$/.exec(message ?? '')?.[1];
        assert.ok(nlsKey, `tcpdumpLens.${before}: deprecation message missing or not localised`);
        for (const nls of [NLS_EN, NLS_JA]) assert.ok(nls[nlsKey].includes(`tcpdumpLens.${now}`), nlsKey);
      }
      assert.match(
        NLS_EN[/^%(.+)%$/.exec(b.markdownDeprecationMessage!)![1]],
        new RegExp(`\`#tcpdumpLens\\.${now}#\``),
      );
      const schema = (p: Record<string, unknown>): unknown[] => [p.type, p.items, p.default, p.scope];
      assert.deepEqual(schema(b), schema(n), `tcpdumpLens.${before} takes what tcpdumpLens.${now} takes`);
    }
  });

  it('English strings spell analyze (and the rest) the American way, as the code and commands do', () => {
    const bundle = JSON.parse(readFileSync(path.join(REPO_ROOT, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<
      string,
      string
    >;
    for (const text of [...Object.values(NLS_EN), ...Object.keys(bundle)])
      assert.doesNotMatch(text, /analys(e|ed|es|ing)\b|recognis|summaris|colour|cancelled|behaviour/i, text);
  });

  it('activates on the tcpdump language (and decoded captures) and recognises tcpdump output by its first line', () => {
    assert.deepEqual(manifest.activationEvents, [
      'onLanguage:tcpdump',
      'onLanguage:plaintext',
      'onFileSystem:tcpdump-pcap',
    ]);
    const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'tcpdump');
    assert.deepEqual(lang.extensions, ['.tcpdump', '.pcap.txt']);
    const firstLine = new RegExp(lang.firstLine);
    const accepted = [
      readFileSync(path.join(REPO_ROOT, 'test/fixtures/seed-firewall-rst.txt'), 'utf8').split('\n')[0],
      readFileSync(path.join(REPO_ROOT, 'test/fixtures/seed-4x/seed-firewall-rst.nv.txt'), 'utf8').split('\n')[0],
      readFileSync(path.join(REPO_ROOT, 'test/fixtures/seed-4x/seed-firewall-rst.nvve.txt'), 'utf8').split('\n')[0],
      'reading from file lab.pcap, link-type EN10MB (Ethernet), snapshot length 262144',
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode',
      '2005-07-06 03:57:35.938066 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [S], seq 1, win 32767, length 0',
      '1120622255.938066 IP (tos 0x0, ttl 64, id 7016, offset 0, flags [DF], proto TCP (6), length 60)',
      '    1  2005-07-06 03:57:35.938066 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [S], seq 1, win 32767, length 0',
    ];
    for (const l of accepted) assert.match(l, firstLine);
    for (const l of ['# notes', 'import os', '{"a": 1}', '12:00 meeting']) assert.doesNotMatch(l, firstLine);
  });
});

describe('client strings (VS Code l10n bundles)', () => {
  it('every vscode.l10n.t() message of the client has a Japanese translation in l10n/bundle.l10n.ja.json', () => {
    assert.equal(manifest.l10n, './l10n');
    const bundle = JSON.parse(readFileSync(path.join(REPO_ROOT, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<
      string,
      string
    >;
    const files = readdirSync(path.join(REPO_ROOT, 'client', 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => path.join(e.parentPath, e.name));
    const messages = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1].replace(/\\'/g, "'")),
    );
    assert.ok(messages.length >= 1);
    for (const m of messages) {
      assert.ok(bundle[m], `no Japanese for ${JSON.stringify(m)}`);
      assert.match(bundle[m], /[\u3040-\u30ff\u4e00-\u9fff]/, `${JSON.stringify(m)} is not translated`);
    }
  });

  it('every contributed command is registered by the client and titled in both languages', () => {
    const client = readdirSync(path.join(REPO_ROOT, 'client', 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    // Registered under its literal id, or under the protocol.ts constant that holds it.
    const registered = (command: string): boolean =>
      client.includes(`'${command}'`) ||
      Object.entries(protocol).some(([name, v]) => v === command && client.includes(`registerCommand(${name},`));
    for (const c of manifest.contributes.commands as { command: string; title: string }[]) {
      assert.ok(registered(c.command), `${c.command} is contributed but never registered`);
      const key = /^%(.+)%$/.exec(c.title)?.[1];
      assert.ok(key && NLS_EN[key] && NLS_JA[key], `${c.command}: title not localised`);
    }
  });

  it('the walkthrough: four localised steps, each with a shipped image and a command that completes it', () => {
    const [walkthrough] = manifest.contributes.walkthroughs as {
      steps: { id: string; title: string; media: { image: string; altText: string }; completionEvents: string[] }[];
    }[];
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['openSample', 'readWarning', 'hopMap', 'copyReport'],
    );
    const shipped = readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8');
    const commands = new Set((manifest.contributes.commands as { command: string }[]).map((c) => c.command));
    for (const step of walkthrough.steps) {
      assert.ok(shipped.includes(`!${step.media.image}\n`), `${step.media.image} is not packaged`);
      for (const k of [step.title, step.media.altText]) assert.match(k, /^%.+%$/, `${step.id}: not localised`);
      for (const e of step.completionEvents) {
        const command = /^onCommand:(.+)$/.exec(e)?.[1];
        assert.ok(command && (commands.has(command) || command.startsWith('workbench.')), `${step.id}: ${e}`);
      }
    }
  });

  it("the binary-capture note names the open-as-text command by the palette's own title, in each language", () => {
    const c = (manifest.contributes.commands as { command: string; title: string; category: string }[]).find(
      (x) => x.command === 'tcpdumpLens.openCaptureAsText',
    );
    assert.ok(c, 'tcpdumpLens.openCaptureAsText is not contributed');
    const key = /^%(.+)%$/.exec(c.title)![1];
    const named: [string, RegExp, Record<string, string>][] = [
      ['en', /the command "([^"]+)"/, NLS_EN],
      ['ja', /コマンド「([^」]+)」/, NLS_JA],
    ];
    for (const [locale, quoted, nls] of named) {
      const name = quoted.exec(describeBinaryCapture(locale as 'en' | 'ja'))?.[1];
      // The Command Palette shows "category: title".
      assert.equal(name, `${c.category}: ${nls[key]}`, locale);
    }
  });
});
