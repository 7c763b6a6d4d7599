import type { IncomingMessage } from '../../functions/src/pipeline/ingest';
import { runId, uniquePublicIp } from './emulators';

/** An event as a Pub/Sub delivery to the ingest handler, for tests that call the handler themselves. */
export function incomingMessage(event: object, messageId = runId('msg')): IncomingMessage {
  return {
    data: Buffer.from(JSON.stringify(event)),
    messageId,
    publishTime: new Date().toISOString(),
    attributes: {},
  };
}

/** The seed's brute-force event from a fresh public address: scored HIGH or CRITICAL, opens an alert. */
export function bruteForce(eventId: string, sourceIp: string = uniquePublicIp(), attempts = 150) {
  return {
    event_id: eventId,
    timestamp: new Date().toISOString(),
    event_type: 'brute_force',
    source_ip: sourceIp,
    destination_ip: '10.0.0.100',
    destination_port: 22,
    protocol: 'TCP',
    payload: { attempts },
    metadata: {},
  };
}

/** A cross-site scripting attempt whose payload is HTML a careless page would run. */
export const HOSTILE_MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';

export function xssAttempt(eventId: string, sourceIp: string = uniquePublicIp()) {
  return {
    event_id: eventId,
    timestamp: new Date().toISOString(),
    event_type: 'xss',
    source_ip: sourceIp,
    destination_ip: '10.0.0.80',
    destination_port: 443,
    protocol: 'TCP',
    payload: { url: `/search?q=${HOSTILE_MARKUP}`, user_agent: HOSTILE_MARKUP, note: HOSTILE_MARKUP },
    metadata: { sensor: HOSTILE_MARKUP },
  };
}
