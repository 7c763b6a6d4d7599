import { describe, expect, it } from 'vitest';
import { runBridgeExpectingExit } from './helpers';
import { freePort } from './ports';

describe('bridge configuration', () => {
  it.each([
    [{}, ['KAFKA_BROKERS']],
    [{ KAFKA_BROKERS: 'localhost' }, ['KAFKA_BROKERS', 'host:port']],
    [{ KAFKA_BROKERS: '127.0.0.1:9092', PORT: 'http' }, ['PORT']],
    [{ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'key' }, ['KAFKA_SASL_PASSWORD']],
    [{ KAFKA_BROKERS: '127.0.0.1:9092', PUBSUB_TOPIC: 'projects/x/subscriptions/y', BRIDGE_MAX_IN_FLIGHT_MESSAGES: '-5' }, ['PUBSUB_TOPIC', 'BRIDGE_MAX_IN_FLIGHT_MESSAGES']],
  ])('exits 1 before connecting anywhere on %j, naming %j', async (env, mentions) => {
    const result = await runBridgeExpectingExit(env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid configuration');
    for (const text of mentions) expect(result.stderr).toContain(text);
    expect(result.ms).toBeLessThan(5_000);
  });

  it('never prints the SASL password', async () => {
    const result = await runBridgeExpectingExit({
      KAFKA_BROKERS: 'nope',
      KAFKA_SASL_MECHANISM: 'scram-sha-1',
      KAFKA_SASL_USERNAME: 'key',
      KAFKA_SASL_PASSWORD: 'correct-horse-battery',
    });
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).not.toContain('correct-horse-battery');
  });

  it('exits non-zero, not 0, when it cannot start (no broker listening)', async () => {
    const result = await runBridgeExpectingExit(
      {
        KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
        KAFKA_RETRIES: '1',
        PUBSUB_EMULATOR_HOST: `127.0.0.1:${await freePort()}`,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
      },
      30_000,
    );
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toContain('bridge.start.failed');
  }, 40_000);
});
