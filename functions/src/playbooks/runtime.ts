import { getFirestore } from 'firebase-admin/firestore';
import {
  detectionConfig,
  neverBlockCidrs,
  playbookEdrUrl,
  playbookEmailTo,
  playbookApprovalTimeoutMinutes,
  playbookRunRetentionDays,
  playbookSlackWebhookUrl,
  playbookTicketingUrl,
  playbookReceiverSecrets,
  playbookWebhookUrl,
} from '../config';
import { MissingSecretError } from './actions';
import type { PlaybookDeps, PlaybookSettings } from './deps';
import { PlaybookCatalog } from './store';
import { createWebhookClient } from './webhook-client';

// The production dependencies of the playbook engine, for the trigger files and the API.
// The catalog (seeding, cache) and the HTTP client are created once per instance and reused.

const catalog = new PlaybookCatalog();
const http = createWebhookClient();

/** Settings from params, read at call time (params resolve at run time, not at import). */
export function playbookSettings(): PlaybookSettings {
  return {
    slackWebhookUrl: playbookSlackWebhookUrl.value().trim(),
    webhookUrl: playbookWebhookUrl.value().trim(),
    edrUrl: playbookEdrUrl.value().trim(),
    ticketingUrl: playbookTicketingUrl.value().trim(),
    emailTo: playbookEmailTo
      .value()
      .split(/[\s,]+/)
      .filter((address) => address.length > 0),
    webhookSecret: (receiver) => {
      // value() logs and returns "" when the secret is not available: never sign with that.
      const param = playbookReceiverSecrets[receiver];
      const secret = param.value();
      if (!secret) throw new MissingSecretError(param.name);
      return secret;
    },
    runRetentionDays: playbookRunRetentionDays.value(),
    approvalTimeoutMinutes: playbookApprovalTimeoutMinutes.value(),
    neverBlockCidrs: neverBlockCidrs.value(),
  };
}

/**
 * Everything executePlaybook / runAutoPlaybooks need. A function calling it must list
 * `playbookSecrets` in its `secrets` (the API function too, for manual runs).
 */
export function playbookDeps(): PlaybookDeps {
  return {
    db: getFirestore(),
    now: () => new Date(),
    http,
    detection: detectionConfig(),
    settings: playbookSettings(),
    catalog,
  };
}
