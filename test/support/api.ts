// Calling the API over real HTTP on the Emulator Suite, and documents to call it about.
import { randomUUID } from 'node:crypto';
import { Timestamp } from 'firebase-admin/firestore';
import { threatIdFor } from '../../functions/src/firestore/refs';
import { ThreatDocSchema, type AlertDoc, type ThreatDoc } from '../../functions/src/firestore/schema';
import type { EventType, Severity } from '../../functions/src/domain/event';
import { PROJECT_ID, firestore } from './emulators';
import { alertDoc } from './response-fixtures';

/** The API through Hosting's /api/** rewrite, as the dashboard calls it. */
export const HOSTING_API = 'http://127.0.0.1:5000/api';
/** The API at the function's own URL (the function sees paths without /api). */
export const FUNCTION_API = `http://127.0.0.1:5001/${PROJECT_ID}/us-central1/api`;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** An object is sent as JSON; a string is sent as is (with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  base?: string;
}

export async function call<T = any>(path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${options.base ?? HOSTING_API}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test looks at `text`
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export const SEVERITY_SCORES: Record<Severity, number> = { CRITICAL: 92, HIGH: 75, MEDIUM: 50, LOW: 25, INFO: 5 };

/** A threat document as ingest writes it (validated against the schema, so it cannot drift). */
export function threatFixture(options: {
  eventId: string;
  severity: Severity;
  createdAt: Date;
  eventType?: EventType;
  sourceIp?: string;
}): ThreatDoc {
  const created = Timestamp.fromDate(options.createdAt);
  const score = SEVERITY_SCORES[options.severity];
  return ThreatDocSchema.parse({
    event_id: options.eventId,
    timestamp: options.createdAt.toISOString(),
    event_type: options.eventType ?? 'port_scan',
    source_ip: options.sourceIp ?? '203.0.113.7',
    destination_ip: '10.0.0.20',
    destination_port: 443,
    protocol: 'TCP',
    payload: { ports: [22, 80, 443] },
    metadata: { fixture: true },
    occurredAt: created,
    geo: { ip: options.sourceIp ?? '203.0.113.7', zone: 'public', country: 'NL', asn: 64500, org: 'Example Net' },
    destinationGeo: { ip: '10.0.0.20', zone: 'private' },
    analysis: {
      engine: 'rules',
      summary: 'Port scan across 3 ports',
      category: 'reconnaissance',
      confidence: 0.8,
      mitre: [{ id: 'T1046', name: 'Network Service Discovery', tactic: 'Discovery' }],
      evidence: { ports: 3 },
      evidenceStrength: 0.5,
      recommendedActions: ['Review firewall logs'],
    },
    risk: {
      score,
      severity: options.severity,
      factors: [{ name: 'event_type', contribution: score, detail: 'fixture' }],
    },
    recentActivity: 0,
    messageId: `fixture-${randomUUID()}`,
    createdAt: created,
    expireAt: Timestamp.fromMillis(options.createdAt.getTime() + 90 * 86_400_000),
  });
}

/** Writes threats straight to Firestore (as ingest would), keyed like ingest keys them. */
export async function storeThreats(threats: ThreatDoc[]): Promise<string[]> {
  const db = firestore();
  const batch = db.batch();
  const ids = threats.map((threat) => {
    const id = threatIdFor(threat.event_id);
    batch.set(db.collection('threats').doc(id), threat);
    return id;
  });
  await batch.commit();
  return ids;
}

/** An OPEN alert, stored directly; the id is unique to the call. */
export async function storeAlert(overrides: Partial<AlertDoc> = {}): Promise<{ id: string; alert: AlertDoc }> {
  const id = `api-test-${randomUUID().slice(0, 12)}`;
  const alert = alertDoc({
    eventType: 'port_scan',
    sourceIp: '203.0.113.7',
    severity: 'HIGH',
    title: 'Port scan from 203.0.113.7 (NL)',
    dedupKey: `fixture-${id}`,
    sourceCountry: 'NL',
    maxRiskScore: 75,
    ...overrides,
  });
  await firestore().collection('alerts').doc(id).set(alert);
  return { id, alert };
}
