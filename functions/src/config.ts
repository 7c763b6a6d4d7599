import { defineBoolean, defineInt, defineSecret, defineString } from 'firebase-functions/params';
import { ENVIRONMENTS } from './detection/catalog';
import { parseDetectionConfig, type DetectionConfig } from './domain/config';

// Deploy-time configuration. Each param has a default that works on the emulator; set real
// values in functions/.env.<project> or answer the prompt at `firebase deploy`.

export const SECURITY_EVENTS_TOPIC = 'security-events';
/** Parsed records that are not alerts (flows, logins, requests, audit entries), for detection rules. */
export const SECURITY_OBSERVATIONS_TOPIC = 'security-observations';
/** Where a Cloud Logging sink publishes Google Cloud audit log entries (LogEntry JSON). */
export const CLOUD_AUDIT_LOGS_TOPIC = 'cloud-audit-logs';

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

export const detectionCatalogCacheSeconds = defineInt('DETECTION_CATALOG_CACHE_SECONDS', {
  default: 30,
  description: 'Seconds an instance runs detection on the rules and exceptions it read before reading them again.',
});

/** Which `enabledIn` environment of the detection catalog this deployment runs (detection/catalog-store.ts). */
export const threatstreamEnvironment = defineString('THREATSTREAM_ENVIRONMENT', {
  default: 'local',
  description: `The detection catalog environment this deployment runs: ${ENVIRONMENTS.join(', ')}. Stored rules run only where they are enabled.`,
  input: { select: { options: ENVIRONMENTS.map((value) => ({ value })) } },
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

// ---- HTTPS API ----

export const allowedOrigins = defineString('ALLOWED_ORIGINS', {
  default: 'http://127.0.0.1:5000,http://localhost:5000',
  description:
    'Comma-separated browser origins allowed to call the API cross-origin (CORS), e.g. https://my-project.web.app.',
  input: {
    text: {
      validationRegex: /^(https?:\/\/[^,\s/]+)(,https?:\/\/[^,\s/]+)*$/,
      validationErrorMessage: 'a comma-separated list of origins like https://example.web.app',
    },
  },
});
export const bridgeHealthUrl = defineString('BRIDGE_HEALTH_URL', {
  default: '',
  description: "The Kafka bridge's readiness URL (…/readyz) that /api/health probes; empty reports kafka as not_configured.",
});
export const mutationsPerMinute = defineInt('RATE_LIMIT_MUTATIONS_PER_MINUTE', {
  default: 30,
  description: 'Per user: acknowledge, resolve and playbook executions allowed in any 60-second window.',
});
export const readsPerMinute = defineInt('RATE_LIMIT_READS_PER_MINUTE', {
  default: 1200,
  description: 'Per user and API instance: signed-in GET requests allowed in any 60-second window.',
});
export const simulationsPerMinute = defineInt('RATE_LIMIT_SIMULATE_PER_MINUTE', {
  default: 60,
  description: 'Per user: simulated events (POST /api/simulate/event) allowed in any 60-second window.',
});

/** Comma-separated origins → a clean list (trailing slashes and blanks dropped). */
export function parseOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0);
}

// ─── Gemini threat analysis (functions/src/analysis) ────────────────────────────────────────
// Gemini is optional. With no key (and GEMINI_USE_VERTEX off) the model path is skipped, threats
// keep the rules analysis and health reports "not_configured". Set the key with
// `firebase functions:secrets:set GEMINI_API_KEY` (the value "none" also means "not configured",
// for deployments that must bind the secret but do not use Gemini). To try a real key on the
// emulator, put GEMINI_API_KEY=... in functions/.env.local (emulator-only and git-ignored; not
// .secret.local, which is committed).

export const geminiApiKey = defineSecret('GEMINI_API_KEY');
export const geminiUseVertex = defineBoolean('GEMINI_USE_VERTEX', {
  default: false,
  description: 'Use Vertex AI with the functions\' service account instead of a Gemini API key.',
});
export const geminiVertexLocation = defineString('GEMINI_VERTEX_LOCATION', {
  default: 'global',
  description: 'Vertex AI location for Gemini calls: global (Gemini 3 models are served there), or a multi-region such as us or eu.',
});
/** The current stable Flash-Lite model (Gemini 2.5 Flash-Lite was shut down in 2026). */
export const DEFAULT_GEMINI_MODEL = 'gemini-3.5-flash-lite';
export const geminiModel = defineString('GEMINI_MODEL', {
  default: DEFAULT_GEMINI_MODEL,
  description: 'Gemini model for threat analysis: a fast, cheap classification model (Gemini 3 or later).',
});
/** Gemini's thinking levels (@google/genai ThinkingLevel); which of them a model accepts depends on the model. */
export const GEMINI_THINKING_LEVELS = ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'] as const;
export const geminiThinkingLevel = defineString('GEMINI_THINKING_LEVEL', {
  default: 'MINIMAL',
  description: 'How much the model thinks before it answers; which levels a model accepts depends on the model. MODEL_DEFAULT sends none.',
  input: { select: { options: [...GEMINI_THINKING_LEVELS, 'MODEL_DEFAULT'].map((value) => ({ value })) } },
});
export const geminiBaseUrl = defineString('GEMINI_BASE_URL', {
  default: '',
  description: 'Overrides the Gemini API endpoint (a proxy, or a local fake in tests); empty for Google\'s.',
});
export const geminiTimeoutMs = defineInt('GEMINI_TIMEOUT_MS', {
  default: 10_000,
  description: 'Milliseconds one Gemini call may take before it is abandoned (one retry on 429/5xx).',
});
export const geminiEventsPerMinute = defineInt('GEMINI_EVENTS_PER_MINUTE', {
  default: 60,
  description: 'Most events sent to Gemini per minute across all instances (cache hits are free).',
});
export const geminiBatchSize = defineInt('GEMINI_BATCH_SIZE', {
  default: 8,
  description: 'Most events in one Gemini request (events arriving together share a request); 1 for none.',
});
export const geminiBatchWindowMs = defineInt('GEMINI_BATCH_WINDOW_MS', {
  default: 20,
  description: 'Milliseconds an event waits for others to share its Gemini request.',
});
export const geminiMinConfidencePercent = defineInt('GEMINI_MIN_CONFIDENCE_PERCENT', {
  default: 60,
  description: 'Threats whose rules confidence is below this percentage go to Gemini.',
});
export const geminiMinSeverity = defineString('GEMINI_MIN_SEVERITY', {
  default: 'MEDIUM',
  description: 'Threats at least this severe (CRITICAL, HIGH, MEDIUM, LOW, INFO) go to Gemini.',
  input: { select: { options: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map((value) => ({ value })) } },
});
export const geminiSamplePercent = defineInt('GEMINI_SAMPLE_PERCENT', {
  default: 100,
  description: 'Percentage of the threats selected for Gemini that are actually sent.',
});
export const geminiCacheTtlMinutes = defineInt('GEMINI_CACHE_TTL_MINUTES', {
  default: 60,
  description: 'Minutes a Gemini answer is reused for events with the same signature.',
});
export const geminiRedactKeys = defineString('GEMINI_REDACT_KEYS', {
  default: '',
  description: 'Comma-separated payload keys to redact before events go to Gemini, beyond the built-in list.',
});
export const geminiBreakerFailures = defineInt('GEMINI_BREAKER_FAILURES', {
  default: 5,
  description: 'Consecutive Gemini failures (timeouts, 429, 5xx) after which an instance stops calling it for a while.',
});
export const geminiBreakerCoolDownSeconds = defineInt('GEMINI_BREAKER_COOLDOWN_SECONDS', {
  default: 30,
  description: 'Seconds an instance waits before probing Gemini again after its circuit breaker opened.',
});

// ---- Playbooks, metrics and the risk index (functions/src/playbooks, functions/src/metrics) ----
// Values: functions/.env (empty endpoints), functions/.env.emulator-tests (the emulator suites'
// webhook receiver on 127.0.0.1:5311, test/support/webhook-server.ts); the signing secret from
// Secret Manager, or functions/.secret.local on the emulator.

const OPTIONAL_URL = {
  text: {
    validationRegex: /^(https?:\/\/\S+)?$/,
    validationErrorMessage: 'an http(s) URL, or empty to leave the action unconfigured',
  },
};

// One signing secret per receiver: a receiver holding its own key cannot sign a request that
// another receiver (the EDR above all) would accept.
export const playbookWebhookSecret = defineSecret('PLAYBOOK_WEBHOOK_SECRET', {
  description: 'HMAC-SHA256 key that signs deliveries to the generic webhook (PLAYBOOK_WEBHOOK_URL) only.',
});
export const playbookSlackSecret = defineSecret('PLAYBOOK_SLACK_SECRET', {
  description: 'HMAC-SHA256 key that signs deliveries to the Slack webhook (PLAYBOOK_SLACK_WEBHOOK_URL) only.',
});
export const playbookEdrSecret = defineSecret('PLAYBOOK_EDR_SECRET', {
  description: 'HMAC-SHA256 key that signs isolate_host requests to the EDR (PLAYBOOK_EDR_URL) only.',
});
export const playbookTicketingSecret = defineSecret('PLAYBOOK_TICKETING_SECRET', {
  description: 'HMAC-SHA256 key that signs create_ticket requests (PLAYBOOK_TICKETING_URL) only.',
});
/** Each receiver's signing secret, by receiver (playbooks/webhook-client.ts WEBHOOK_RECEIVERS). */
export const playbookReceiverSecrets = {
  webhook: playbookWebhookSecret,
  slack: playbookSlackSecret,
  edr: playbookEdrSecret,
  ticketing: playbookTicketingSecret,
} as const;
/** What a function that runs playbook steps lists in its `secrets`. */
export const playbookSecrets = Object.values(playbookReceiverSecrets);
export const playbookSlackWebhookUrl = defineString('PLAYBOOK_SLACK_WEBHOOK_URL', {
  default: '',
  description: 'Slack incoming-webhook URL for notify_webhook steps with format "slack"; empty: those steps fail as not configured.',
  input: OPTIONAL_URL,
});
export const playbookWebhookUrl = defineString('PLAYBOOK_WEBHOOK_URL', {
  default: '',
  description: 'URL receiving the generic JSON events of notify_webhook steps (SIEM, SOAR, chat bridge).',
  input: OPTIONAL_URL,
});
export const playbookEdrUrl = defineString('PLAYBOOK_EDR_URL', {
  default: '',
  description: 'EDR endpoint that isolates a host (isolate_host steps), called with a signed JSON POST.',
  input: OPTIONAL_URL,
});
export const playbookTicketingUrl = defineString('PLAYBOOK_TICKETING_URL', {
  default: '',
  description: 'Ticketing endpoint that opens a case (create_ticket steps), called with a signed JSON POST.',
  input: OPTIONAL_URL,
});
export const playbookEmailTo = defineString('PLAYBOOK_EMAIL_TO', {
  default: '',
  description: 'Comma-separated default recipients of notify_email steps (mail documents for the Trigger Email extension).',
});
export const playbookRunRetentionDays = defineInt('PLAYBOOK_RUN_RETENTION_DAYS', {
  default: 180,
  description: 'Days before playbook run records expire (Firestore TTL on playbookRuns.expireAt).',
});
export const neverBlockCidrs = defineString('NEVER_BLOCK_CIDRS', {
  default: '',
  description:
    'Comma-separated IPs or CIDRs no playbook may ever block (resolvers, CDNs, partners, your own egress); admins add more through /api/never-block.',
});
export const playbookApprovalTimeoutMinutes = defineInt('PLAYBOOK_APPROVAL_TIMEOUT_MINUTES', {
  default: 30,
  description: 'Minutes a playbook step waits for a responder\'s approval before it expires, not done.',
  input: { text: { validationRegex: /^[1-9][0-9]{0,4}$/, validationErrorMessage: 'a whole number of minutes, at least 1' } },
});
export const metricsMinuteRetentionDays = defineInt('METRICS_MINUTE_RETENTION_DAYS', {
  default: 7,
  description: 'Days before per-minute metric buckets expire (TTL).',
});
export const metricsHourRetentionDays = defineInt('METRICS_HOUR_RETENTION_DAYS', {
  default: 90,
  description: 'Days before per-hour metric buckets expire (TTL).',
});
export const riskIndexRetentionDays = defineInt('RISK_INDEX_RETENTION_DAYS', {
  default: 30,
  description: 'Days before the per-minute risk index timeline expires (TTL); riskIndex/current never does.',
});
