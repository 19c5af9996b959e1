// Let's Encrypt's rate limits as numbers: what a scenario, `serve acme` and `simulate` name,
// apart from the limiter (rate-limits.ts), which needs the Public Suffix List.
export interface RateLimit {
  count: number;
  periodSeconds: number;
}

export const RATE_LIMIT_NAMES = ['newOrdersPerAccount', 'certificatesPerDomain', 'duplicateCertificates', 'failedValidations'] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];
export type RateLimits = Partial<Record<RateLimitName, RateLimit>>;

const HOUR = 3600;

/** The numbers of letsencrypt.org/docs/rate-limits (2025-06, unchanged for 45-day certificates). */
export const LETS_ENCRYPT_RATE_LIMITS: Required<RateLimits> = {
  newOrdersPerAccount: { count: 300, periodSeconds: 3 * HOUR },
  certificatesPerDomain: { count: 50, periodSeconds: 7 * 24 * HOUR },
  duplicateCertificates: { count: 5, periodSeconds: 7 * 24 * HOUR },
  failedValidations: { count: 5, periodSeconds: HOUR },
};
