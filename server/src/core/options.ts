import { DEFAULT_INITIAL_TTLS } from './ttl';

export type Locale = 'en' | 'ja';
export type ConfidenceLevel = 'high' | 'medium' | 'low';

/** Everything the analysis can be told. The server and the CLI build it; the core trusts it. */
export interface AnalysisOptions {
  initialTtls: readonly number[];
  locale: Locale;
  /** Suspicious RSTs below this confidence get no finding (the hover still explains them). */
  minimumConfidence: ConfidenceLevel;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  initialTtls: DEFAULT_INITIAL_TTLS,
  locale: 'en',
  minimumConfidence: 'low',
};

/** Picks the message language from a BCP 47 tag such as VS Code's `ja` or `en-US`. */
export function localeFromTag(tag: string | undefined | null): Locale {
  return tag !== undefined && tag !== null && /^ja\b/i.test(tag) ? 'ja' : 'en';
}

/**
 * Sanitises untrusted initial-TTL settings: integers 1..255, de-duplicated, sorted; falls back
 * to the defaults when nothing usable is left (an empty list would make every hop count unknown).
 */
export function sanitizeInitialTtls(value: unknown): number[] {
  if (!Array.isArray(value)) return [...DEFAULT_INITIAL_TTLS];
  const ok = value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 255);
  const unique = [...new Set(ok)].sort((a, b) => a - b);
  return unique.length > 0 ? unique : [...DEFAULT_INITIAL_TTLS];
}

export function sanitizeConfidence(value: unknown): ConfidenceLevel {
  return value === 'high' || value === 'medium' || value === 'low' ? value : DEFAULT_OPTIONS.minimumConfidence;
}
