import { is } from '../conditions';
import { defineRule } from '../rule';
import type { PackEntry } from './case';
import { parseRecord } from '@threatstream/events';
import { gcpAudit } from './fixtures';
import panther from './samples/panther-gcp-audit.json';

/** A Panther test record (samples/panther-gcp-audit.json), parsed by the gcp-audit adapter as a sink delivers it. */
function sample(pantherRule: string, name: string) {
  const record = panther.records.find((r) => r.pantherRule === pantherRule && r.name === name);
  if (record === undefined) throw new Error(`no Panther sample ${pantherRule} / ${name}`);
  const parsed = parseRecord(JSON.stringify(record.log), { format: 'gcp-audit' });
  if (!parsed.ok || parsed.events.length !== 1) throw new Error(`Panther sample ${pantherRule} / ${name} does not parse: ${parsed.ok ? 'not one event' : parsed.message}`);
  return parsed.events[0]!;
}

const WORLD = ['allUsers', 'allAuthenticatedUsers'];

export const gcpOwnerGranted: PackEntry = {
  rule: defineRule({
    id: 'gcp-owner-granted',
    title: 'Owner role granted on a Google Cloud resource',
    description: 'An IAM policy change added a member to roles/owner, or invited one to own the project: full control handed to an account.',
    severity: 'HIGH',
    eventType: 'privilege_escalation',
    techniques: ['T1098', 'T1098.003'],
    kind: 'single',
    match: is.any(
      is.all(is.equals('gcp.audit.service_data.policyDelta.bindingDeltas.action', 'ADD'), is.equals('gcp.audit.service_data.policyDelta.bindingDeltas.role', 'roles/owner')),
      is.equals('gcp.audit.method_name', 'InsertProjectOwnershipInvite'),
    ),
  }),
  cases: [
    { name: 'Panther: SetIamPolicy adding roles/owner', events: [sample('GCP.IAM.OrgFolderIAMChanges', 'Terraform User Agent')], fires: 1 },
    { name: 'Panther: external user ownership invite', events: [sample('GCP.Project.ExternalUserOwnershipInvite', 'External User Ownership Invite')], fires: 1 },
    { name: 'Panther: a binding removed does not fire', events: [sample('GCP.IAM.OrgFolderIAMChanges', 'Manual Change')], fires: 0 },
    {
      name: 'a viewer role granted does not fire',
      events: [gcpAudit({ at: 0, method: 'SetIamPolicy', service: 'cloudresourcemanager.googleapis.com', serviceData: { policyDelta: { bindingDeltas: [{ action: 'ADD', role: 'roles/viewer', member: 'user:a@example.com' }] } } })],
      fires: 0,
    },
  ],
};

export const gcpServiceAccountKeyCreated: PackEntry = {
  rule: defineRule({
    id: 'gcp-sa-key-created',
    title: 'Service account key created',
    description: 'A user-managed key was created for a Google Cloud service account: a long-lived credential that outlives the session that made it.',
    severity: 'MEDIUM',
    eventType: 'privilege_escalation',
    techniques: ['T1098', 'T1098.001'],
    kind: 'single',
    match: is.equals('gcp.audit.method_name', 'google.iam.admin.v1.CreateServiceAccountKey'),
  }),
  cases: [
    { name: 'Panther: created service account key', events: [sample('GCP.Service.Account.or.Keys.Created', 'Created Service Account Key')], fires: 1 },
    { name: 'Panther: created service account (no key) does not fire', events: [sample('GCP.Service.Account.or.Keys.Created', 'Created Service Account')], fires: 0 },
  ],
};

export const gcpFirewallOpenToWorld: PackEntry = {
  rule: defineRule({
    id: 'gcp-firewall-open-to-world',
    title: 'Firewall rule opened to the internet',
    description: 'A VPC firewall rule was created or changed to allow traffic from 0.0.0.0/0 or ::/0: every address on the internet can reach the targets.',
    severity: 'HIGH',
    eventType: 'policy_violation',
    techniques: ['T1562', 'T1562.007'],
    kind: 'single',
    match: is.all(
      is.regex('gcp.audit.method_name', '\\.compute\\.firewalls\\.(?:insert|patch|update)$'),
      is.equals('gcp.audit.request.sourceRanges', ['0.0.0.0/0', '::/0']),
      is.exists('gcp.audit.request.alloweds'),
    ),
  }),
  cases: [
    {
      name: 'SSH allowed from 0.0.0.0/0 fires',
      events: [gcpAudit({ at: 0, method: 'v1.compute.firewalls.insert', service: 'compute.googleapis.com', request: { name: 'allow-ssh', sourceRanges: ['0.0.0.0/0'], alloweds: [{ IPProtocol: 'tcp', ports: ['22'] }] } })],
      fires: 1,
    },
    { name: 'Panther: firewall created with deny-all does not fire', events: [sample('GCP.Firewall.Rule.Created', 'compute.firewalls.create-should-alert')], fires: 0 },
    { name: 'Panther: firewall patched with deny-all does not fire', events: [sample('GCP.Firewall.Rule.Modified', 'compute.firewalls.update-should-alert')], fires: 0 },
    {
      name: 'a rule open to the office range does not fire',
      events: [gcpAudit({ at: 0, method: 'v1.compute.firewalls.patch', service: 'compute.googleapis.com', request: { sourceRanges: ['198.51.100.0/24'], alloweds: [{ IPProtocol: 'tcp', ports: ['22'] }] } })],
      fires: 0,
    },
  ],
};

export const gcpBucketPublic: PackEntry = {
  rule: defineRule({
    id: 'gcp-bucket-public',
    title: 'Cloud Storage bucket made public',
    description: 'A Cloud Storage IAM change granted a role to allUsers or allAuthenticatedUsers: the bucket is readable by anyone.',
    severity: 'HIGH',
    eventType: 'policy_violation',
    techniques: ['T1530'],
    kind: 'single',
    match: is.all(
      is.equals('gcp.audit.method_name', 'storage.setIamPermissions'),
      is.equals('gcp.audit.service_data.policyDelta.bindingDeltas.action', 'ADD'),
      is.equals('gcp.audit.service_data.policyDelta.bindingDeltas.member', WORLD),
    ),
  }),
  cases: [
    { name: 'Panther: allUsers read permission', events: [sample('GCP.GCS.Public', 'GCS AllUsers Read Permission')], fires: 1 },
    {
      name: 'a named user granted does not fire',
      events: [gcpAudit({ at: 0, method: 'storage.setIamPermissions', service: 'storage.googleapis.com', serviceData: { policyDelta: { bindingDeltas: [{ action: 'ADD', role: 'roles/storage.objectViewer', member: 'user:ann@example.com' }] } } })],
      fires: 0,
    },
  ],
};

export const gcpFirestoreRulesOpened: PackEntry = {
  rule: defineRule({
    id: 'gcp-firestore-rules-opened',
    title: 'Firestore security rules opened',
    description: 'A Firebase rules release was created whose source allows reads or writes unconditionally (if true, or no condition): the database is open to every client.',
    severity: 'CRITICAL',
    eventType: 'policy_violation',
    techniques: ['T1562', 'T1530'],
    kind: 'single',
    match: is.all(
      is.regex('gcp.audit.method_name', 'FirebaseRulesService\\.(?:CreateRuleset|CreateRelease|UpdateRelease)$'),
      is.regex('gcp.audit.request.source.files.content', 'allow\\s+[\\w\\s,]*(?:read|write|create|update|delete)[\\w\\s,]*(?::\\s*if\\s+true\\s*;|;)'),
    ),
  }),
  cases: [
    {
      name: 'allow read, write: if true fires',
      events: [
        gcpAudit({
          at: 0,
          method: 'google.firebase.rules.v1.FirebaseRulesService.CreateRuleset',
          service: 'firebaserules.googleapis.com',
          request: { source: { files: [{ name: 'firestore.rules', content: "service cloud.firestore {\n match /databases/{db}/documents {\n  match /{doc=**} { allow read, write: if true; }\n }\n}" }] } },
        }),
      ],
      fires: 1,
    },
    {
      name: 'rules that check auth do not fire',
      events: [
        gcpAudit({
          at: 0,
          method: 'google.firebase.rules.v1.FirebaseRulesService.CreateRuleset',
          service: 'firebaserules.googleapis.com',
          request: { source: { files: [{ name: 'firestore.rules', content: 'match /threats/{id} { allow read: if request.auth != null && request.auth.token.role == "viewer"; }' }] } },
        }),
      ],
      fires: 0,
    },
  ],
};
