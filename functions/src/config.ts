import { defineInt, defineString } from 'firebase-functions/params';
import { parseDetectionConfig, type DetectionConfig } from './domain/config';

// Deploy-time configuration. Each param has a default that works on the emulator; set real
// values in functions/.env.<project> or answer the prompt at `firebase deploy`.

export const SECURITY_EVENTS_TOPIC = 'security-events';

export const internalCidrs = defineString('INTERNAL_CIDRS', {
  default: '',
  description: 'Comma-separated CIDRs of your own networks beyond RFC 1918 (zone "internal").',
});
export const criticalAssets = defineString('CRITICAL_ASSETS', {
  default: '10.0.0.100/32,10.0.0.10/32',
  description: 'Comma-separated IPs or CIDRs of critical assets (domain controllers, databases...).',
});
export const highRiskCountries = defineString('HIGH_RISK_COUNTRIES', {
  default: '',
  description: 'Comma-separated ISO 3166-1 alpha-2 codes whose sources score higher; empty uses the built-in list.',
});
export const highRiskAsns = defineString('HIGH_RISK_ASNS', {
  default: '',
  description: 'Comma-separated AS numbers whose sources score higher; empty uses the built-in list.',
});
export const recentActivityWindowMinutes = defineInt('RECENT_ACTIVITY_WINDOW_MINUTES', {
  default: 15,
  description: 'Sliding window over which earlier events from the same source raise the score.',
});
export const alertDedupWindowMinutes = defineInt('ALERT_DEDUP_WINDOW_MINUTES', {
  default: 15,
  description: 'A new threat joins an unresolved alert of the same source and type seen within this window.',
});
export const threatRetentionDays = defineInt('THREAT_RETENTION_DAYS', {
  default: 90,
  description: 'Days before threats and rejected events expire (Firestore TTL on expireAt).',
});
export const maxRetryHours = defineInt('INGEST_MAX_RETRY_HOURS', {
  default: 12,
  description: 'Hours an event is retried on transient errors before it is kept as rejected.',
});

let detection: DetectionConfig | undefined;

/** The detection settings, parsed and validated once per instance (params resolve at run time). */
export function detectionConfig(): DetectionConfig {
  detection ??= parseDetectionConfig({
    internalCidrs: internalCidrs.value(),
    criticalAssets: criticalAssets.value(),
    highRiskCountries: highRiskCountries.value(),
    highRiskAsns: highRiskAsns.value(),
    recentWindowMinutes: recentActivityWindowMinutes.value(),
  });
  return detection;
}
