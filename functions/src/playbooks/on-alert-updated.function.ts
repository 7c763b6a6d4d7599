import { onDocumentUpdated } from 'firebase-functions/firestore';
import { playbookSecrets } from '../config';
import { COLLECTIONS } from '../firestore/refs';
import { AlertDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { runAutoPlaybooks } from './executor';
import { playbookDeps } from './runtime';

/**
 * alerts/{id} updated → auto playbooks the alert has just come to match: grown past their
 * minOccurrences, or escalated into their severities. Still once per alert and playbook.
 */
export const onAlertUpdated = onDocumentUpdated(
  {
    document: `${COLLECTIONS.alerts}/{alertId}`,
    retry: true,
    timeoutSeconds: 300,
    secrets: playbookSecrets,
  },
  async (event) => {
    if (!event.data) return;
    const path = event.data.after.ref.path;
    const before = parseTriggerDocument(AlertDocSchema, event.data.before.data(), 'playbooks-onAlertUpdated', path);
    const after = parseTriggerDocument(AlertDocSchema, event.data.after.data(), 'playbooks-onAlertUpdated', path);
    if (before && after) await runAutoPlaybooks(event.params.alertId, before, after, playbookDeps());
  },
);
