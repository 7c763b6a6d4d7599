import type { Firestore } from 'firebase-admin/firestore';
import type { DecodedIdToken } from 'firebase-admin/auth';
import type { ServiceState } from './schemas';
import type { PlaybookService } from './services/playbooks';
import type { AnalyticsService } from './services/analytics';
import type { RateLimiter } from './services/rate-limiter';
import type { MetricsDeps } from '../metrics/counters';
import type { Environment } from '../detection/catalog';

// What the API needs from the outside world. The trigger (api.function.ts) wires the real
// clients; tests can wire fakes. Nothing in api/ reaches for a global client.

export interface TokenVerifier {
  /** firebase-admin's Auth: verifies signature, expiry, audience; optionally revocation. */
  verifyIdToken(idToken: string, checkRevoked?: boolean): Promise<DecodedIdToken>;
}

export interface EventPublisher {
  /** Publishes one event's JSON bytes to the security-events topic; resolves to the message id. */
  publish(data: Buffer, attributes: Record<string, string>): Promise<string>;
}

/** Each probe answers within its own short timeout and never throws. */
export interface HealthProbes {
  firestore(): Promise<ServiceState>;
  pubsub(): Promise<ServiceState>;
  kafka(): Promise<ServiceState>;
  gemini(): Promise<ServiceState>;
}

export interface ApiConfig {
  /** The deployed build (Cloud Run revision), or 'dev'. */
  version: string;
  environment: 'emulator' | 'production';
  /** Origins allowed to call the API from a browser on another origin. */
  allowedOrigins: string[];
  rateLimits: {
    /** Acknowledge, resolve and playbook execution, per user per minute. */
    mutationsPerMinute: number;
    /** Simulated events, per user per minute. */
    simulationsPerMinute: number;
    /** Signed-in GET requests, per user per minute (per instance). */
    readsPerMinute: number;
  };
  /** host:port of the Auth emulator (the docs page offers a demo sign-in there); unset in production. */
  authEmulatorHost: string | undefined;
  /** The detection catalog environment this deployment runs (param THREATSTREAM_ENVIRONMENT). */
  detectionEnvironment: Environment;
  /** Check every response against its schema (the emulator does: a mismatch is a bug, a 500). */
  validateResponses: boolean;
}

export interface ApiDeps {
  db: Firestore;
  auth: TokenVerifier;
  publisher: EventPublisher;
  health: HealthProbes;
  rateLimiter: RateLimiter;
  /** For reads: in memory, per instance (MemoryRateLimiter). */
  readRateLimiter: RateLimiter;
  /** Undefined while the playbooks module is not deployed: its routes answer 503. */
  playbooks: PlaybookService | undefined;
  /** Undefined while the metrics module is not deployed: its routes answer 503. */
  analytics: AnalyticsService | undefined;
  /** Resolving an alert counts it as closed, in the same transaction. */
  metrics: MetricsDeps;
  config: ApiConfig;
  now: () => Date;
}
