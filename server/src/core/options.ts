import { DEFAULT_INITIAL_TTLS } from './ttl';

export type Locale = 'en' | 'ja';
/** How sure a verdict is; also the floor below which no finding is made. */
export type Confidence = 'high' | 'medium' | 'low';

/**
 * Everything the analysis can be told. The server and the CLI build it; the core trusts it. The
 * language is not among them: findings carry facts, and the views word them per locale.
 */
export interface AnalysisOptions {
  initialTtls: readonly number[];
  /** Suspicious RSTs below this confidence get no finding (the hover still explains them). */
  minimumConfidence: Confidence;
  /** How a spread baseline (2+ distances) weighs an RST just beyond it; absent: p0f's 2 and 5. */
  spreadRule?: SpreadRule;
}

/**
 * p0f's rule of thumb for sources whose own packets arrive at several distances (ECMP, route
 * changes, NAT): an RST at most `weakStepHops` beyond the spread, from a source more than
 * `farSourceHops` away, is weak evidence.
 */
export interface SpreadRule {
  weakStepHops: number;
  farSourceHops: number;
}

export const DEFAULT_SPREAD_RULE: SpreadRule = { weakStepHops: 2, farSourceHops: 5 };

/** Sanitises an untrusted spread rule: small non-negative integers, defaults for anything else. */
export function sanitizeSpreadRule(weakStepHops: unknown, farSourceHops: unknown): SpreadRule {
  const ok = (v: unknown, fallback: number): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 64 ? v : fallback;
  return {
    weakStepHops: ok(weakStepHops, DEFAULT_SPREAD_RULE.weakStepHops),
    farSourceHops: ok(farSourceHops, DEFAULT_SPREAD_RULE.farSourceHops),
  };
}

/** Confidence levels in order, for comparing a verdict with `minimumConfidence`. */
export const CONFIDENCE_RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

export const DEFAULT_OPTIONS: AnalysisOptions = {
  initialTtls: DEFAULT_INITIAL_TTLS,
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

export function sanitizeConfidence(value: unknown): Confidence {
  return value === 'high' || value === 'medium' || value === 'low' ? value : DEFAULT_OPTIONS.minimumConfidence;
}
