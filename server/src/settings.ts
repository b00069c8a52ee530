import { localeFromTag, sanitizeConfidence, sanitizeInitialTtls, type AnalysisOptions, type ConfidenceLevel, type Locale } from './core/options';

/** The `tcpdumpLens.*` settings as the client sends them: untrusted until sanitised here. */
export interface LensSettings {
  enable: boolean;
  inlayHints: boolean;
  options: AnalysisOptions;
}

/** Defaults; package.json's `contributes.configuration` must say the same (a test checks it). */
export const DEFAULT_SETTINGS: { enable: boolean; initialTtls: number[]; minimumConfidence: ConfidenceLevel; 'inlayHints.enable': boolean } = {
  enable: true,
  initialTtls: [32, 64, 128, 255],
  minimumConfidence: 'low',
  'inlayHints.enable': true,
};

export function settingsFrom(raw: unknown, locale: Locale): LensSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const hints = (r.inlayHints && typeof r.inlayHints === 'object' ? r.inlayHints : {}) as Record<string, unknown>;
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    inlayHints: typeof hints.enable === 'boolean' ? hints.enable : DEFAULT_SETTINGS['inlayHints.enable'],
    options: {
      initialTtls: sanitizeInitialTtls(r.initialTtls ?? DEFAULT_SETTINGS.initialTtls),
      locale,
      minimumConfidence: sanitizeConfidence(r.minimumConfidence),
    },
  };
}

export { localeFromTag };
