import { PubSub, type Topic } from '@google-cloud/pubsub';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import { onRequest } from 'firebase-functions/https';
import type { Express } from 'express';
import {
  SECURITY_EVENTS_TOPIC,
  allowedOrigins,
  geminiApiKey,
  playbookSecrets,
  bridgeHealthUrl,
  mutationsPerMinute,
  parseOrigins,
  simulationsPerMinute,
  readsPerMinute,
  threatstreamEnvironment,
} from '../config';
import { EnvironmentSchema } from '../detection/catalog';
import { sharedGeminiHealth } from '../analysis/runtime';
import { playbookDeps } from '../playbooks/runtime';
import { createApiApp } from './app';
import type { ApiDeps } from './deps';
import { metricsAnalytics } from './services/analytics';
import { metricsDeps } from '../metrics/runtime';
import { cachedHealthProbes, HEALTH_CACHE_MS, healthProbes } from './services/health';
import { playbookService } from './services/playbooks';
import { FirestoreRateLimiter, MemoryRateLimiter } from './services/rate-limiter';

// The HTTPS function `api` (Hosting rewrites /api/** to it). The Express app is built once per
// instance, on the first request (params resolve at run time, not at deploy-time load), with one
// long-lived Pub/Sub Topic and the Admin SDK's clients.

let app: Express | undefined;
let topic: Topic | undefined;

function securityEventsTopic(): Topic {
  // Publish each simulated event at once rather than waiting to fill a batch.
  topic ??= new PubSub().topic(SECURITY_EVENTS_TOPIC, { batching: { maxMessages: 1, maxMilliseconds: 0 } });
  return topic;
}

function emulated(): boolean {
  return process.env.FUNCTIONS_EMULATOR === 'true';
}

export function productionDeps(): ApiDeps {
  const db = getFirestore();
  const topic = securityEventsTopic();
  return {
    db,
    auth: getAuth(),
    publisher: { publish: (data, attributes) => topic.publishMessage({ data, attributes }) },
    // Public and unauthenticated: each instance probes at most once per HEALTH_CACHE_MS.
    health: cachedHealthProbes(
      healthProbes({
        db,
        topic,
        bridgeHealthUrl: bridgeHealthUrl.value(),
        gemini: () => sharedGeminiHealth(db),
      }),
      HEALTH_CACHE_MS,
    ),
    rateLimiter: new FirestoreRateLimiter(db),
    readRateLimiter: new MemoryRateLimiter(),
    playbooks: playbookService(db, playbookDeps),
    analytics: metricsAnalytics(db),
    metrics: metricsDeps(),
    config: {
      version: process.env.K_REVISION ?? 'dev',
      environment: emulated() ? 'emulator' : 'production',
      allowedOrigins: parseOrigins(allowedOrigins.value()),
      rateLimits: {
        mutationsPerMinute: mutationsPerMinute.value(),
        simulationsPerMinute: simulationsPerMinute.value(),
        readsPerMinute: readsPerMinute.value(),
      },
      authEmulatorHost: emulated() ? process.env.FIREBASE_AUTH_EMULATOR_HOST : undefined,
      detectionEnvironment: EnvironmentSchema.parse(threatstreamEnvironment.value()),
      validateResponses: emulated(),
    },
    now: () => new Date(),
  };
}

export const api = onRequest(
  {
    concurrency: 80,
    memory: '512MiB',
    // A manual playbook run is answered when it finishes (steps have their own timeouts; the
    // executor's budget is 240 s). Hosting cuts rewritten requests at 60 s; the run goes on.
    timeoutSeconds: 300,
    invoker: 'public',
    // CORS is the app's (middleware/http.ts, ALLOWED_ORIGINS), not the platform wrapper's, which
    // the Functions emulator otherwise turns on for every origin.
    cors: false,
    // Manual playbook runs sign webhooks; /health sees whether a Gemini key is bound.
    secrets: [...playbookSecrets, geminiApiKey],
  },
  (req, res) => {
    app ??= createApiApp(productionDeps());
    app(req, res);
  },
);
