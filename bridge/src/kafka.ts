import { Kafka, logLevel, Partitioners, type LogEntry, type logCreator, type SASLOptions } from 'kafkajs';
import type { BridgeConfig } from './config.js';
import type { Logger } from './logger.js';

/** kafkajs logs through the bridge's structured logger (warnings and errors only, unless debugging). */
function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...fields } = log;
      const line = `kafkajs.${namespace || 'client'}: ${message}`;
      // kafkajs logs every error response (a coordinator still loading, a leader moving) as an
      // error although it retries them; the bridge reports what it cannot recover from itself.
      if (level === logLevel.ERROR && namespace !== 'Connection') logger.error(line, fields);
      else if (level === logLevel.ERROR) logger.warn(line, fields);
      else if (level === logLevel.WARN) logger.warn(line, fields);
      else if (level === logLevel.INFO) logger.info(line, fields);
      else logger.debug(line, fields);
    };
}

function saslOptions(sasl: NonNullable<BridgeConfig['kafka']['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

export function createKafka(config: BridgeConfig, logger: Logger) {
  const { kafka } = config;
  const client = new Kafka({
    clientId: kafka.clientId,
    brokers: kafka.brokers,
    ssl: kafka.ssl,
    ...(kafka.sasl && { sasl: saslOptions(kafka.sasl) }),
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    logLevel: config.logLevel === 'debug' ? logLevel.INFO : logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: kafka.retries },
  });
  const consumer = client.consumer({
    groupId: kafka.groupId,
    sessionTimeout: kafka.sessionTimeoutMs,
    heartbeatInterval: kafka.heartbeatIntervalMs,
    maxWaitTimeInMs: kafka.maxWaitMs,
    maxBytesPerPartition: kafka.maxBytesPerPartition,
    maxBytes: kafka.maxBytes,
    // A typo in KAFKA_TOPIC must not create an empty topic that the bridge then waits on forever.
    allowAutoTopicCreation: false,
  });
  const producer = client.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 5,
  });
  return { client, consumer, producer };
}
