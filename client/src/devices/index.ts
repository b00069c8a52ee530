import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  COPY_REPORT_COMMAND,
  COPY_TEXT_COMMAND,
  OPEN_REPORT_COMMAND,
  REPORT_METHOD,
  SHOW_PACKETS_COMMAND,
  type DeviceTreeNode,
  type LinePlace,
  type ReportParams,
  type ReportResponse,
  type ReportResult,
} from '../../../server/src/protocol';
import { SAMPLE_CAPTURE } from '../sample';
import { statusText, statusTooltip } from './words';

/*
 * Issue 15 in VS Code: the report commands, the commands the server's quick fixes run, the
 * Suspected Devices tree and the status-bar item. Everything shown comes from the server's
 * `tcpdumpLens/report` answer for the active tcpdump editor; this file only lays it out.
 */

export const OPEN_SAMPLE_COMMAND = 'tcpdumpLens.openSample';
export const DEVICES_VIEW = 'tcpdumpLens.devices';

/** Edits and diagnostics come in bursts: ask once they pause. */
const REFRESH_DELAY_MS = 250;

const isTcpdump = (doc: vscode.TextDocument): boolean => doc.languageId === 'tcpdump';

/** The tcpdump document a command without arguments is about: the active editor's, else a visible one. */
function activeCapture(): vscode.TextDocument | undefined {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isTcpdump(active)) return active;
  return vscode.window.visibleTextEditors.map((e) => e.document).find(isTcpdump);
}

class DevicesTree implements vscode.TreeDataProvider<DeviceTreeNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: DeviceTreeNode[] = [];
  private uri: vscode.Uri | undefined;

  set(uri: vscode.Uri | undefined, roots: DeviceTreeNode[]): void {
    this.uri = uri;
    this.roots = roots;
    this.changed.fire();
  }

  getChildren(node?: DeviceTreeNode): DeviceTreeNode[] {
    return node ? (node.children ?? []) : this.roots;
  }

  getTreeItem(node: DeviceTreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      node.label,
      node.children?.length
        ? node.kind === 'conversation'
          ? vscode.TreeItemCollapsibleState.Collapsed
          : vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    item.description = node.description;
    item.tooltip = node.tooltip ?? (node.description ? `${node.label} — ${node.description}` : node.label);
    item.contextValue = node.kind;
    item.iconPath = new vscode.ThemeIcon(
      { device: 'shield', source: 'server', conversation: 'arrow-swap', reset: 'debug-disconnect' }[node.kind],
    );
    if (node.line !== undefined && this.uri) {
      const at = new vscode.Range(node.line, 0, node.line, 0);
      item.command = {
        title: vscode.l10n.t('Reveal line {0}', node.line + 1),
        command: 'vscode.open',
        arguments: [this.uri, { selection: at, preserveFocus: false } satisfies vscode.TextDocumentShowOptions],
      };
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

async function requestReport(
  client: LanguageClient,
  uri: vscode.Uri,
  device?: number,
): Promise<ReportResult | undefined> {
  const params: ReportParams = device === undefined ? { uri: uri.toString() } : { uri: uri.toString(), device };
  return (await client.sendRequest<ReportResponse>(REPORT_METHOD, params)) ?? undefined;
}

/** The report for a command's arguments (`[uri?, device?]`), or a message why there is none. */
async function reportFor(
  client: LanguageClient,
  uriArg: unknown,
  deviceArg: unknown,
): Promise<ReportResult | undefined> {
  const uri =
    typeof uriArg === 'string'
      ? vscode.Uri.parse(uriArg)
      : uriArg instanceof vscode.Uri
        ? uriArg
        : activeCapture()?.uri;
  if (!uri) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a tcpdump document to get its report.'));
    return undefined;
  }
  const report = await requestReport(client, uri, typeof deviceArg === 'number' ? deviceArg : undefined);
  if (!report)
    void vscode.window.showInformationMessage(
      vscode.l10n.t('tcpdump Lens has no analysis of this document (is tcpdumpLens.enable off?).'),
    );
  return report;
}

async function openMarkdown(markdown: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { preview: false });
}

export function registerDevices(context: vscode.ExtensionContext, client: LanguageClient): void {
  const tree = new DevicesTree();
  const view = vscode.window.createTreeView(DEVICES_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const status = vscode.window.createStatusBarItem('tcpdumpLens.status', vscode.StatusBarAlignment.Left, 10);
  status.name = vscode.l10n.t('tcpdump Lens: forging devices');
  status.command = OPEN_REPORT_COMMAND;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  const refresh = async (): Promise<void> => {
    const doc = activeCapture();
    const mine = ++generation;
    if (!doc) {
      status.hide();
      tree.set(undefined, []);
      view.message = vscode.l10n.t('Open a tcpdump capture to see the devices that likely forged its RSTs.');
      return;
    }
    let report: ReportResult | undefined;
    try {
      report = await requestReport(client, doc.uri);
    } catch {
      report = undefined; // the server is starting or stopping: the next change asks again
    }
    if (mine !== generation) return;
    tree.set(doc.uri, report?.tree ?? []);
    const text = report && statusText(report.status);
    if (!report || text === undefined) {
      status.hide();
    } else {
      status.text = text;
      status.tooltip = statusTooltip(report.status);
      status.backgroundColor =
        report.status.devices > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      status.show();
    }
    view.message = !report
      ? vscode.l10n.t('tcpdump Lens has no analysis of this document (is tcpdumpLens.enable off?).')
      : !report.status.ttlPrinted
        ? vscode.l10n.t('This capture prints no TTLs: print it with tcpdump -v to find forging devices.')
        : report.tree.length === 0
          ? vscode.l10n.t('No device forged RSTs in this capture.')
          : undefined;
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), REFRESH_DELAY_MS);
  };

  context.subscriptions.push(
    tree,
    view,
    status,
    { dispose: () => clearTimeout(timer) },
    vscode.window.onDidChangeActiveTextEditor(schedule),
    vscode.window.onDidChangeVisibleTextEditors(schedule),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const doc = activeCapture();
      if (doc && e.uris.some((u) => u.toString() === doc.uri.toString())) schedule();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tcpdumpLens')) schedule();
    }),
    vscode.commands.registerCommand(COPY_REPORT_COMMAND, async (uri?: unknown, device?: unknown) => {
      const report = await reportFor(client, uri, device);
      if (!report) return;
      await vscode.env.clipboard.writeText(report.markdown);
      const open = vscode.l10n.t('Open as Markdown');
      const choice = await vscode.window.showInformationMessage(
        typeof device === 'number'
          ? vscode.l10n.t('The report for device #{0} is on the clipboard.', device)
          : vscode.l10n.t('The report for {0} is on the clipboard.', report.file),
        open,
      );
      if (choice === open) await openMarkdown(report.markdown);
    }),
    vscode.commands.registerCommand(OPEN_REPORT_COMMAND, async (uri?: unknown, device?: unknown) => {
      const report = await reportFor(client, uri, device);
      if (report) await openMarkdown(report.markdown);
    }),
    vscode.commands.registerCommand(SHOW_PACKETS_COMMAND, async (uri: string, at: LinePlace, packets: LinePlace[]) => {
      const target = vscode.Uri.parse(uri);
      const range = (p: LinePlace): vscode.Range => new vscode.Range(p.line, p.start, p.line, p.end);
      await vscode.commands.executeCommand(
        'editor.action.peekLocations',
        target,
        range(at).start,
        packets.map((p) => new vscode.Location(target, range(p))),
        'peek',
      );
    }),
    vscode.commands.registerCommand(COPY_TEXT_COMMAND, async (text: string) => {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(vscode.l10n.t('Copied: {0}', text));
    }),
    vscode.commands.registerCommand(OPEN_SAMPLE_COMMAND, async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'tcpdump', content: SAMPLE_CAPTURE });
      await vscode.window.showTextDocument(doc, { preview: false });
    }),
  );
  schedule();
}
