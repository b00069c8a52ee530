import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { HopMapPanel, isTcpdumpDocument } from './panel';

export const SHOW_HOP_MAP_COMMAND = 'tcpdumpLens.showHopMap';

/** Registers "tcpdump Lens: Show Hop Map" for the active tcpdump editor. */
export function registerHopMap(context: vscode.ExtensionContext, client: LanguageClient): void {
  const panel = new HopMapPanel(client);
  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand(SHOW_HOP_MAP_COMMAND, () => {
      const editor = vscode.window.activeTextEditor;
      // The editor/title button only shows on tcpdump editors; the palette may be used from anywhere.
      const target =
        editor && isTcpdumpDocument(editor.document)
          ? editor
          : vscode.window.visibleTextEditors.find((e) => isTcpdumpDocument(e.document));
      if (!target) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a tcpdump document to see its hop map.'));
        return;
      }
      panel.show(target);
    }),
  );
}
