import * as vscode from 'vscode';
import type { CaptureStatus } from '../../../server/src/protocol';

/*
 * The status-bar item's words, from the server's facts (core/editorViews.ts captureStatus): the
 * client words them (l10n), it does not decide them.
 */

/** `$(warning) 1 forging device · 3 RSTs`, `no TTLs`, `no forging device`; nothing for an empty document. */
export function statusText(s: CaptureStatus): string | undefined {
  if (s.packets === 0) return undefined;
  if (!s.ttlPrinted) return `$(info) ${vscode.l10n.t('no TTLs')}`;
  if (s.devices === 0) return `$(pass) ${vscode.l10n.t('no forging device')}`;
  const devices = s.devices === 1 ? vscode.l10n.t('1 forging device') : vscode.l10n.t('{0} forging devices', s.devices);
  const resets = s.resets === 1 ? vscode.l10n.t('1 RST') : vscode.l10n.t('{0} RSTs', s.resets);
  return `$(warning) ${devices} · ${resets}`;
}

export function statusTooltip(s: CaptureStatus): string {
  const lines = !s.ttlPrinted
    ? [vscode.l10n.t('This capture prints no TTLs: print it with tcpdump -v to find forging devices.')]
    : s.devices === 0
      ? [vscode.l10n.t('No device forged RSTs in this capture.')]
      : [...s.summaries];
  return [...lines, vscode.l10n.t('Click to open the report.')].join('\n');
}
