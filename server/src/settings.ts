import {
  DEFAULT_SPREAD_RULE,
  localeFromTag,
  sanitizeConfidence,
  sanitizeInitialTtls,
  sanitizeSpreadRule,
  type AnalysisOptions,
  type Confidence,
  type Locale,
} from './core/options';

/** The `tcpdumpLens.*` settings as the client sends them: untrusted until sanitised here. */
export interface LensSettings {
  enable: boolean;
  inlayHints: boolean;
  options: AnalysisOptions;
  /** The language findings and views are worded in (VS Code's display language; not a setting). */
  locale: Locale;
}

/** Defaults; package.json's `contributes.configuration` must say the same (a test checks it). */
export const DEFAULT_SETTINGS: {
  enable: boolean;
  initialTTL: number[];
  /** Deprecated: the old name of `initialTTL`, read when `initialTTL` is not set. */
  initialTtls: number[];
  minimumConfidence: Confidence;
  'inlayHints.enable': boolean;
  'spreadBaseline.weakStepHops': number;
  'spreadBaseline.farSourceHops': number;
} = {
  enable: true,
  initialTTL: [32, 64, 128, 255],
  initialTtls: [32, 64, 128, 255],
  minimumConfidence: 'low',
  'inlayHints.enable': true,
  'spreadBaseline.weakStepHops': DEFAULT_SPREAD_RULE.weakStepHops,
  'spreadBaseline.farSourceHops': DEFAULT_SPREAD_RULE.farSourceHops,
};

export function settingsFrom(raw: unknown, locale: Locale): LensSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const hints = (r.inlayHints && typeof r.inlayHints === 'object' ? r.inlayHints : {}) as Record<string, unknown>;
  const spread = (r.spreadBaseline && typeof r.spreadBaseline === 'object' ? r.spreadBaseline : {}) as Record<
    string,
    unknown
  >;
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    inlayHints: typeof hints.enable === 'boolean' ? hints.enable : DEFAULT_SETTINGS['inlayHints.enable'],
    locale,
    options: {
      initialTtls: sanitizeInitialTtls(r.initialTTL ?? r.initialTtls ?? DEFAULT_SETTINGS.initialTTL),
      minimumConfidence: sanitizeConfidence(r.minimumConfidence),
      spreadRule: sanitizeSpreadRule(spread.weakStepHops, spread.farSourceHops),
    },
  };
}

export { localeFromTag };
