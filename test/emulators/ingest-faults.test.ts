// The ingest handler against the Firestore emulator, with a real network fault in between:
// a proxy that drops every connection stands for "Firestore unavailable".
import { createServer, type Server, type Socket } from 'node:net';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../functions/src/domain/config';
import { loadIpIntelligence } from '../../functions/src/domain/enrich/geoip';
import { ingestMessage, type IngestDeps } from '../../functions/src/pipeline/ingest';
import { SaturatedSources } from '../../functions/src/pipeline/saturated-sources';
import { ingest } from '../../functions/src/pipeline/ingest.function';
import { PROJECT_ID, firestore, runId, uniquePublicIp } from '../support/emulators';
import { incomingMessage } from '../support/events';

/** A TCP proxy to the Firestore emulator that can be switched off, dropping all connections. */
class SwitchableProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  up = true;

  async start(target: string): Promise<string> {
    const [host, port] = target.split(':');
    this.server = createServer((client) => {
      if (!this.up) return client.destroy();
      const { createConnection } = require('node:net') as typeof import('node:net');
      const upstream = createConnection(Number(port), host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
    return `127.0.0.1:${address.port}`;
  }

  down(): void {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.down();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A Firestore client that talks to the emulator through `host` instead of the usual address. */
function firestoreVia(host: string): Firestore {
  const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  try {
    return new Firestore({ projectId: PROJECT_ID });
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = emulatorHost;
  }
}

function event(eventId: string) {
  return {
    event_id: eventId,
    timestamp: new Date().toISOString(),
    event_type: 'port_scan',
    source_ip: uniquePublicIp(),
    destination_ip: '10.0.0.20',
    payload: { ports: [22, 80, 443, 3389, 445] },
  };
}

describe('ingest handler under faults', () => {
  const proxy = new SwitchableProxy();
  let viaProxy: Firestore;
  let deps: (db: Firestore, overrides?: Partial<IngestDeps>) => IngestDeps;

  beforeAll(async () => {
    viaProxy = firestoreVia(await proxy.start(process.env.FIRESTORE_EMULATOR_HOST!));
    const intel = await loadIpIntelligence();
    deps = (db, overrides = {}) => ({
      db: db as unknown as IngestDeps['db'],
      intel,
      config: DEFAULT_DETECTION_CONFIG,
      saturatedSources: new SaturatedSources(),
      retentionDays: 30,
      maxRetryAgeMs: 60 * 60 * 1000,
      now: () => new Date(),
      ...overrides,
    });
  });
  afterAll(async () => {
    await viaProxy?.terminate();
    await proxy.stop();
  });

  it('is deployed with retries on, so a thrown error means redelivery', () => {
    expect(ingest.__endpoint.eventTrigger?.retry).toBe(true);
  });

  it('throws while Firestore is unavailable, then writes the threat once when the message is redelivered', async () => {
    const delivery = incomingMessage(event(runId('outage')));
    proxy.down();
    await expect(ingestMessage(delivery, deps(viaProxy))).rejects.toThrow();

    proxy.up = true;
    const first = await ingestMessage(delivery, deps(viaProxy));
    expect(first.outcome).toBe('created');
    const second = await ingestMessage(delivery, deps(viaProxy));
    expect(second.outcome).toBe('duplicate');
  }, 120_000);

  it('rejects at once an event Firestore refuses to store, instead of retrying it', async () => {
    // Field names like __x__ are reserved by Firestore: the schema accepts them, the write cannot.
    const delivery = incomingMessage({ ...event(runId('reserved')), payload: { __reserved__: 1 } });
    const outcome = await ingestMessage(delivery, deps(firestore()));
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/Firestore refused/) });
  });

  it('keeps a message as rejected once processing has failed past the retry age', async () => {
    const failingIntel = {
      lookup: () => {
        throw new Error('GeoIP database unreadable');
      },
    };
    const fresh = incomingMessage(event(runId('fresh')));
    await expect(ingestMessage(fresh, deps(firestore(), { intel: failingIntel }))).rejects.toThrow(/unreadable/);

    const stale = { ...incomingMessage(event(runId('stale'))), publishTime: new Date(Date.now() - 2 * 3600_000).toISOString() };
    const outcome = await ingestMessage(stale, deps(firestore(), { intel: failingIntel }));
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/gave up after retrying: GeoIP/) });
    const stored = await firestore().collection('rejectedEvents').where('messageId', '==', stale.messageId).get();
    expect(stored.size).toBe(1);
  });

  it('creates one threat when the same event is handled concurrently', async () => {
    const eventId = runId('concurrent');
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ingestMessage(incomingMessage(event(eventId), `m-${i}`), deps(firestore()))),
    );
    expect(outcomes.filter((o) => o.outcome === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'duplicate')).toHaveLength(7);
  });
});
