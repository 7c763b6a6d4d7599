import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig, LOCAL_PROJECT_ID } from './config.js';

const base = { KAFKA_BROKERS: '127.0.0.1:9092' };

function ok(env: Record<string, string | undefined>) {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.errors.join('; ')}`);
  return result.config;
}

function errors(env: Record<string, string | undefined>): string[] {
  const result = loadConfig(env);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.errors;
}

describe('loadConfig', () => {
  it('fills in the defaults from the design', () => {
    const config = ok(base);
    expect(config.kafka).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      groupId: 'threatstream-bridge',
      topic: 'security.raw.logs',
      dlqTopic: 'security.raw.logs.dlq',
      fromBeginning: true,
      ssl: false,
    });
    expect(config.kafka.sasl).toBeUndefined();
    expect(config.pubsub.topic).toBe('security-events');
    expect(config.pubsub.projectId).toBeUndefined();
    expect(config.http.port).toBe(8081);
    expect(config.flow.maxInFlightMessages).toBe(5000);
    expect(config.shutdownTimeoutMs).toBe(8000);
  });

  it('uses the demo project only against the emulator', () => {
    expect(ok({ ...base, PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' }).pubsub.projectId).toBe(LOCAL_PROJECT_ID);
    expect(ok({ ...base, GOOGLE_CLOUD_PROJECT: 'prod-1' }).pubsub.projectId).toBe('prod-1');
  });

  it('splits and trims the broker list', () => {
    expect(ok({ KAFKA_BROKERS: ' a.example:9092, b.example:9093 ,' }).kafka.brokers).toEqual([
      'a.example:9092',
      'b.example:9093',
    ]);
  });

  it('turns on TLS with SASL unless told otherwise, and masks the password when described', () => {
    const env = { ...base, KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'key', KAFKA_SASL_PASSWORD: 's3cret' };
    const config = ok(env);
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.sasl).toEqual({ mechanism: 'plain', username: 'key', password: 's3cret' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('s3cret');
    expect(ok({ ...env, KAFKA_SSL: 'false' }).kafka.ssl).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(ok({ ...base, PORT: '', KAFKA_GROUP_ID: '' }).http.port).toBe(8081);
  });

  it.each([
    [{}, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'localhost:99999' }, 'KAFKA_BROKERS'],
    [{ ...base, PORT: 'eighty' }, 'PORT'],
    [{ ...base, PORT: '70000' }, 'PORT'],
    [{ ...base, KAFKA_SSL: 'maybe' }, 'KAFKA_SSL'],
    [{ ...base, KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM'],
    [{ ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD'],
    [{ ...base, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM'],
    [{ ...base, KAFKA_TOPIC: 'bad topic' }, 'KAFKA_TOPIC'],
    [{ ...base, KAFKA_DLQ_TOPIC: 'security.raw.logs' }, 'KAFKA_DLQ_TOPIC'],
    [{ ...base, PUBSUB_TOPIC: '9starts-with-digit' }, 'PUBSUB_TOPIC'],
    [{ ...base, BRIDGE_MAX_IN_FLIGHT_MESSAGES: '0' }, 'BRIDGE_MAX_IN_FLIGHT_MESSAGES'],
    [{ ...base, PUBSUB_BATCH_MAX_MESSAGES: '5000' }, 'PUBSUB_BATCH_MAX_MESSAGES'],
    [{ ...base, KAFKA_HEARTBEAT_INTERVAL_MS: '20000', KAFKA_SESSION_TIMEOUT_MS: '30000' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
    [{ ...base, LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
  ])('rejects %j naming %s', (env, variable) => {
    const messages = errors(env);
    expect(messages.some((m) => m.startsWith(variable))).toBe(true);
  });

  it('never echoes a password in an error', () => {
    const messages = errors({ ...base, KAFKA_SASL_MECHANISM: 'nope', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2' });
    expect(messages.join('\n')).not.toContain('hunter2');
  });

  it('reports every problem at once', () => {
    expect(errors({ PORT: 'x', LOG_LEVEL: 'loud' }).length).toBeGreaterThanOrEqual(3);
  });
});

describe('loadConfig: topic formats', () => {
  it('maps topics to formats and consumes them beside the main topic', () => {
    const config = ok({ ...base, BRIDGE_TOPIC_FORMATS: 'suricata.eve=suricata-eve, zeek=zeek-json,security.raw.logs=threatstream' });
    expect(config.kafka.topicFormats).toEqual({ 'suricata.eve': 'suricata-eve', zeek: 'zeek-json', 'security.raw.logs': 'threatstream' });
    expect(config.kafka.topics).toEqual(['security.raw.logs', 'suricata.eve', 'zeek']);
    expect(config.kafka.adapters).toBe(true);
    expect(config.pubsub.observationsTopic).toBe('security-observations');
  });

  it('rejects unknown formats, malformed entries, a mapped DLQ topic and mapping without adapters', () => {
    expect(errors({ ...base, BRIDGE_TOPIC_FORMATS: 'ids=snort' }).join()).toMatch(/"snort" \(for ids\) is not one of threatstream, ecs, suricata-eve/);
    expect(errors({ ...base, BRIDGE_TOPIC_FORMATS: 'ids' }).join()).toMatch(/"ids" is not topic=format/);
    expect(errors({ ...base, BRIDGE_TOPIC_FORMATS: 'a=cef,a=syslog' }).join()).toMatch(/a is mapped twice/);
    expect(errors({ ...base, BRIDGE_TOPIC_FORMATS: 'security.raw.logs.dlq=cef' }).join()).toMatch(/must not map the DLQ topic/);
    expect(errors({ ...base, BRIDGE_TOPIC_FORMATS: 'a=cef', BRIDGE_ADAPTERS: 'off' }).join()).toMatch(/needs BRIDGE_ADAPTERS on/);
    expect(errors({ ...base, PUBSUB_OBSERVATIONS_TOPIC: 'security-events' }).join()).toMatch(/must differ from PUBSUB_TOPIC/);
  });
});
