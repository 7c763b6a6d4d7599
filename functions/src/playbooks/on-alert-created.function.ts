import { onDocumentCreated } from 'firebase-functions/firestore';
import { playbookSecrets } from '../config';
import { COLLECTIONS } from '../firestore/refs';
import { AlertDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { runAutoPlaybooks } from './executor';
import { playbookDeps } from './runtime';

/** alerts/{id} created → every matching auto playbook, once per alert (idempotent run ids, leases). */
export const onAlertCreated = onDocumentCreated(
  {
    document: `${COLLECTIONS.alerts}/{alertId}`,
    retry: true,
    // A playbook's step budgets add up to at most 240 s (definition.ts MAX_RUN_BUDGET_MS).
    timeoutSeconds: 300,
    secrets: playbookSecrets,
  },
  async (event) => {
    if (!event.data) return;
    const alert = parseTriggerDocument(AlertDocSchema, event.data.data(), 'playbooks-onAlertCreated', event.data.ref.path);
    if (alert) await runAutoPlaybooks(event.params.alertId, undefined, alert, playbookDeps());
  },
);
