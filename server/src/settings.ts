import { localeFromTag, sanitizeInitialTtls, type AnalysisOptions, type Locale } from './core/options';

/** The `tcpdumpLens.*` settings as the client sends them: untrusted until sanitised here. */
export interface LensSettings {
  enable: boolean;
  options: AnalysisOptions;
}

/** Defaults; package.json's `contributes.configuration` must say the same (a test checks it). */
export const DEFAULT_SETTINGS = {
  enable: true,
  initialTtls: [32, 64, 128, 255],
} as const;

export function settingsFrom(raw: unknown, locale: Locale): LensSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    options: { initialTtls: sanitizeInitialTtls(r.initialTtls ?? DEFAULT_SETTINGS.initialTtls), locale },
  };
}

export { localeFromTag };
