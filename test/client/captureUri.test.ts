import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CAPTURE_SCHEME,
  CAPTURE_TEXT_SUFFIX,
  captureFileOf,
  notACapture,
  type UriParts,
} from '../../client/src/pcap/captureText';
import { REPO_ROOT } from '../support/lspClient';

/*
 * The `tcpdump-pcap:` document scheme reads the file its query names. A crafted URI (a link
 * anywhere VS Code follows one) must not make it read anything but that one capture file, and the
 * bytes must be a capture before anything is shown. Parts are given as vscode.Uri holds them:
 * path and query percent-decoded once (the query is the capture URI's own toString()).
 */

/** The document URI client/src/pcap/index.ts builds for a capture: its path + .tcpdump, its URI as query. */
const textUriFor = (captureUri: string, capturePath: string): UriParts => ({
  scheme: CAPTURE_SCHEME,
  authority: '',
  path: capturePath + CAPTURE_TEXT_SUFFIX,
  query: captureUri,
  fragment: '',
});

const refusal = (parts: UriParts): string => {
  const r = captureFileOf(parts);
  assert.ok('refused' in r, `not refused: ${JSON.stringify(parts)}`);
  return r.refused;
};

describe('tcpdump-pcap: URIs (client/src/pcap)', () => {
  it('accepts what the viewer itself builds: local, spaces and non-ASCII, a Windows drive, a remote', () => {
    const cases: [string, string, { scheme: string; authority: string; path: string }][] = [
      ['file:///home/u/lab.pcap', '/home/u/lab.pcap', { scheme: 'file', authority: '', path: '/home/u/lab.pcap' }],
      [
        'file:///home/u/my%20captures/%E6%97%A5.pcapng',
        '/home/u/my captures/日.pcapng',
        { scheme: 'file', authority: '', path: '/home/u/my captures/日.pcapng' },
      ],
      ['file:///c%3A/traces/x.CAP', '/c:/traces/x.CAP', { scheme: 'file', authority: '', path: '/c:/traces/x.CAP' }],
      [
        'vscode-remote://ssh-remote%2Bbox/var/tmp/a.pcap',
        '/var/tmp/a.pcap',
        { scheme: 'vscode-remote', authority: 'ssh-remote+box', path: '/var/tmp/a.pcap' },
      ],
    ];
    for (const [uri, p, file] of cases) assert.deepEqual(captureFileOf(textUriFor(uri, p)), { file }, uri);
  });

  it('refuses URIs crafted to read another file', () => {
    const crafted: [UriParts, RegExp][] = [
      // Another file entirely, titled honestly or not.
      [textUriFor('file:///etc/passwd', '/etc/passwd'), /only \.pcap, \.pcapng, \.cap files/],
      [textUriFor('file:///home/u/notes.txt', '/home/u/notes.txt'), /only \.pcap/],
      [textUriFor('file:///etc/passwd', '/home/u/lab.pcap'), /only \.pcap/],
      // The title says one capture, the query reads another.
      [textUriFor('file:///home/u/other.pcap', '/home/u/lab.pcap'), /does not name the capture/],
      // Dot segments, plain and percent-encoded, and Windows separators.
      [textUriFor('file:///home/u/../../etc/x.pcap', '/home/u/../../etc/x.pcap'), /'\.' or '\.\.'/],
      [textUriFor('file:///home/u/%2e%2e/%2E%2E/etc/x.pcap', '/home/u/../../etc/x.pcap'), /'\.' or '\.\.'/],
      [textUriFor('file:///home/u/./x.pcap', '/home/u/./x.pcap'), /'\.' or '\.\.'/],
      [textUriFor('file:///c%3A/u/..%5C..%5Cx.pcap', '/c:/u/..\\..\\x.pcap'), /plain absolute path/],
      [textUriFor('file:///home/u/x%00.pcap', '/home/u/x\u0000.pcap'), /plain absolute path/],
      // Query and fragment tricks, on the capture URI and on the document URI.
      [textUriFor('file:///etc/passwd?.pcap', '/etc/passwd'), /query or fragment/],
      [textUriFor('file:///etc/passwd#.pcap', '/etc/passwd'), /query or fragment/],
      [{ ...textUriFor('file:///home/u/lab.pcap', '/home/u/lab.pcap'), fragment: 'x' }, /no host or fragment/],
      [{ ...textUriFor('file:///home/u/lab.pcap', '/home/u/lab.pcap'), authority: 'evil' }, /no host or fragment/],
      // A share on another host (Windows would connect to it and offer credentials).
      [textUriFor('file://attacker.example/share/x.pcap', '/share/x.pcap'), /another host/],
      // No capture URI, a relative one, a nested tcpdump-pcap:, a malformed escape.
      [textUriFor('', '/x.pcap'), /names no capture URI/],
      [textUriFor('/home/u/lab.pcap', '/home/u/lab.pcap'), /names no capture URI/],
      [textUriFor('file:lab.pcap', 'lab.pcap'), /plain absolute path/],
      [textUriFor('tcpdump-pcap:/x.pcap.tcpdump', '/x.pcap.tcpdump'), /scheme 'tcpdump-pcap'/],
      [textUriFor('file:///home/u/%E0%A4%A.pcap', '/home/u/%E0%A4%A.pcap'), /malformed/],
      // Not this scheme at all.
      [{ ...textUriFor('file:///home/u/lab.pcap', '/home/u/lab.pcap'), scheme: 'file' }, /not a tcpdump-pcap: URI/],
    ];
    for (const [parts, why] of crafted) assert.match(refusal(parts), why, JSON.stringify(parts));
  });

  it('shows only captures: text, a hosts file or an empty file behind a capture name is refused', () => {
    assert.equal(notACapture(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/lab/ttl64-ipv4.pcap'))), undefined);
    assert.equal(notACapture(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/bad/mixed-v4-v6.pcap'))), undefined);
    for (const bytes of [
      Buffer.from('root:x:0:0:root:/root:/bin/bash\n'),
      fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/seed-firewall-rst.txt')),
      Buffer.alloc(0),
    ])
      assert.match(notACapture(bytes) ?? '', /not a pcap or pcapng capture/);
  });

  it('the client reads only through the check, and refuses non-regular files and non-captures', () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, 'client/src/pcap/index.ts'), 'utf8');
    assert.doesNotMatch(source, /Uri\.parse\(/, 'the capture URI is parsed by captureFileOf, not by Uri.parse');
    assert.match(source, /captureFileOf\(textUri\)/);
    assert.match(source, /FileType\.File/);
    assert.match(source, /notACapture\(bytes\)/);
  });
});
