import type { Firestore } from 'firebase-admin/firestore';
import type { DetectionConfig } from '../domain/config';
import type { Playbook } from '../domain/playbook';
import type { WebhookClient, WebhookReceiverName } from './webhook-client';

/** Where the actions send things; from params (see config.ts `playbookSettings`). */
export interface PlaybookSettings {
  /** Slack incoming-webhook URL (notify_webhook format "slack"); "" when not configured. */
  slackWebhookUrl: string;
  /** Generic JSON webhook URL (notify_webhook format "generic"); "" when not configured. */
  webhookUrl: string;
  /** EDR endpoint that isolates a host (isolate_host); "" when not configured. */
  edrUrl: string;
  /** Ticketing endpoint that opens a case (create_ticket); "" when not configured. */
  ticketingUrl: string;
  /** Default notify_email recipients. */
  emailTo: string[];
  /** The receiver's own HMAC signing secret. Throws MissingSecretError when unset: never sign with "". */
  webhookSecret: (receiver: WebhookReceiverName) => string;
  /** Days a run record is kept (TTL on playbookRuns.expireAt). */
  runRetentionDays: number;
  /** Minutes a step waits for a responder's approval before it expires, not done. */
  approvalTimeoutMinutes: number;
  /** NEVER_BLOCK_CIDRS: addresses block_ip refuses, with the neverBlock collection's. */
  neverBlockCidrs: string;
}

/** Where playbook definitions come from: PlaybookCatalog (Firestore, seeded, cached) in production. */
export interface PlaybookSource {
  /** Every playbook (the engine filters the auto ones whose trigger matches). */
  list(db: Firestore, now: Date): Promise<Playbook[]>;
  get(db: Firestore, playbookId: string, now: Date): Promise<Playbook | undefined>;
}

/** Everything the playbook engine touches, passed in: the trigger files build it, tests fake it. */
export interface PlaybookDeps {
  db: Firestore;
  now: () => Date;
  http: WebhookClient;
  detection: DetectionConfig;
  settings: PlaybookSettings;
  catalog: PlaybookSource;
  /** A fresh lease-owner id per invocation (defaults to a random UUID). */
  newLeaseOwner?: () => string;
}
