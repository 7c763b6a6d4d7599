import { INPUT_FORMATS, isInputFormat, type InputFormat } from '@threatstream/events';
import { z } from 'zod';

/** Where a local run sends everything: the Firebase emulators' demo project. */
export const LOCAL_PROJECT_ID = 'demo-threatstream';

const KIB = 1024;
const MIB = 1024 * KIB;

const intFromEnv = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

const boolFromEnv = () => z.stringbool({ truthy: ['1', 'true', 'yes', 'on'], falsy: ['0', 'false', 'no', 'off'] });

const TopicName = z
  .string()
  .trim()
  .min(1)
  .max(249)
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"');

const BrokerList = z
  .string({ message: 'is required (comma-separated host:port list)' })
  .trim()
  .min(1, 'is required (comma-separated host:port list)')
  .transform((value, ctx) => {
    const brokers = value
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    for (const broker of brokers) {
      const match = /^(.+):(\d{1,5})$/.exec(broker);
      const port = match ? Number(match[2]) : NaN;
      if (!match || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${broker}" is not host:port` });
        return z.NEVER;
      }
    }
    return brokers;
  });

/**
 * `topic=format,topic=format`: records on a mapped topic are parsed as that format; the main topic
 * (KAFKA_TOPIC) may be mapped too, and is otherwise mixed (a `format` header, or auto-detection).
 */
const TopicFormats = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const formats: Record<string, InputFormat> = {};
    for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
      const match = /^([A-Za-z0-9._-]{1,249})=([a-z0-9-]+)$/.exec(entry);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not topic=format` });
        return z.NEVER;
      }
      const [, topic, format] = match as unknown as [string, string, string];
      if (!isInputFormat(format)) {
        ctx.addIssue({ code: 'custom', message: `"${format}" (for ${topic}) is not one of ${INPUT_FORMATS.join(', ')}` });
        return z.NEVER;
      }
      if (formats[topic] !== undefined && formats[topic] !== format) {
        ctx.addIssue({ code: 'custom', message: `${topic} is mapped twice` });
        return z.NEVER;
      }
      formats[topic] = format;
    }
    return formats;
  });

/**
 * The bridge's environment. Every variable is read once, at start; a bad value stops the
 * process with a message naming the variable (see `loadConfig`).
 */
const EnvSchema = z
  .object({
    KAFKA_BROKERS: BrokerList,
    KAFKA_CLIENT_ID: z.string().trim().min(1).default('threatstream-bridge'),
    KAFKA_GROUP_ID: z.string().trim().min(1).max(255).default('threatstream-bridge'),
    KAFKA_TOPIC: TopicName.default('security.raw.logs'),
    KAFKA_DLQ_TOPIC: TopicName.default('security.raw.logs.dlq'),
    /** A new consumer group starts at the oldest retained message (nothing is skipped). */
    KAFKA_FROM_BEGINNING: boolFromEnv().default(true),
    KAFKA_SASL_MECHANISM: z
      .enum(['plain', 'scram-sha-256', 'scram-sha-512', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], {
        message: 'must be plain, scram-sha-256 or scram-sha-512',
      })
      .transform((m) => m.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512')
      .optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    /** TLS to the brokers; defaults to on when SASL is configured (Confluent Cloud needs both). */
    KAFKA_SSL: boolFromEnv().optional(),
    KAFKA_SESSION_TIMEOUT_MS: intFromEnv(6_000, 300_000, 30_000),
    KAFKA_HEARTBEAT_INTERVAL_MS: intFromEnv(500, 60_000, 3_000),
    KAFKA_MAX_WAIT_MS: intFromEnv(10, 10_000, 500),
    KAFKA_MAX_BYTES_PER_PARTITION: intFromEnv(64 * KIB, 64 * MIB, 1 * MIB),
    KAFKA_MAX_BYTES: intFromEnv(256 * KIB, 256 * MIB, 8 * MIB),
    KAFKA_PARTITIONS_CONCURRENCY: intFromEnv(1, 64, 2),
    /** Retries of a failed Kafka request (connecting included) before the client gives up. */
    KAFKA_RETRIES: intFromEnv(0, 100, 8),

    GOOGLE_CLOUD_PROJECT: z.string().trim().min(1).optional(),
    PUBSUB_EMULATOR_HOST: z.string().trim().min(1).optional(),
    /** A topic id, or a full `projects/<p>/topics/<t>` name. */
    PUBSUB_TOPIC: z
      .string()
      .trim()
      .regex(
        /^(projects\/[a-z][-a-z0-9.:]{3,62}\/topics\/)?[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/,
        'must be a Pub/Sub topic id (3-255 chars, starting with a letter) or projects/<p>/topics/<t>',
      )
      .default('security-events'),
    /** Where observations (parsed records that are not alerts) go; alerts go to PUBSUB_TOPIC. */
    PUBSUB_OBSERVATIONS_TOPIC: z
      .string()
      .trim()
      .regex(
        /^(projects\/[a-z][-a-z0-9.:]{3,62}\/topics\/)?[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/,
        'must be a Pub/Sub topic id (3-255 chars, starting with a letter) or projects/<p>/topics/<t>',
      )
      .default('security-observations'),
    /** Extra Kafka topics and the format of each, plus the main topic's if it is not mixed. */
    BRIDGE_TOPIC_FORMATS: TopicFormats.default({}),
    /** Off: only our own JSON passes (the bridge before adapters); every other record is dead-lettered. */
    BRIDGE_ADAPTERS: boolFromEnv().default(true),
    /** Create the Pub/Sub topic at start if missing (local runs only; needs pubsub.topics.create). */
    PUBSUB_CREATE_TOPIC: boolFromEnv().default(false),
    PUBSUB_BATCH_MAX_MESSAGES: intFromEnv(1, 1000, 500),
    PUBSUB_BATCH_MAX_BYTES: intFromEnv(1 * KIB, 9 * MIB, 4 * MIB),
    PUBSUB_BATCH_MAX_MS: intFromEnv(1, 1000, 20),
    /**
     * Observations gathered into one `{"observations":[…]}` message: sent at this many (the
     * detection function takes up to 1,000), at this many bytes, or this long after the first.
     */
    BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES: intFromEnv(1, 1000, 500),
    BRIDGE_OBSERVATION_BATCH_MAX_BYTES: intFromEnv(1 * KIB, 8 * MIB, 512 * KIB),
    BRIDGE_OBSERVATION_BATCH_LINGER_MS: intFromEnv(0, 1000, 25),

    /** Messages read from Kafka but not yet acknowledged by Pub/Sub (or the DLQ), at most. */
    BRIDGE_MAX_IN_FLIGHT_MESSAGES: intFromEnv(1, 1_000_000, 5_000),
    /** Bytes of such messages, at most. */
    BRIDGE_MAX_IN_FLIGHT_BYTES: intFromEnv(64 * KIB, 1024 * MIB, 16 * MIB),
    BRIDGE_COMMIT_INTERVAL_MS: intFromEnv(50, 60_000, 1_000),
    /** A publish pending longer than this makes /readyz fail. */
    BRIDGE_PUBLISH_STALL_MS: intFromEnv(1_000, 600_000, 30_000),
    BRIDGE_SHUTDOWN_TIMEOUT_MS: intFromEnv(1_000, 60_000, 8_000),

    PORT: intFromEnv(1, 65535, 8081),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM) {
      for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: `is required when KAFKA_SASL_MECHANISM is set` });
      }
    } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SASL_MECHANISM'],
        message: 'is required when KAFKA_SASL_USERNAME/PASSWORD are set (plain, scram-sha-256 or scram-sha-512)',
      });
    }
    if (env.KAFKA_DLQ_TOPIC === env.KAFKA_TOPIC) {
      ctx.addIssue({ code: 'custom', path: ['KAFKA_DLQ_TOPIC'], message: 'must differ from KAFKA_TOPIC' });
    }
    for (const topic of Object.keys(env.BRIDGE_TOPIC_FORMATS)) {
      if (topic === env.KAFKA_DLQ_TOPIC) {
        ctx.addIssue({ code: 'custom', path: ['BRIDGE_TOPIC_FORMATS'], message: `must not map the DLQ topic ${topic}` });
      }
    }
    if (!env.BRIDGE_ADAPTERS && Object.keys(env.BRIDGE_TOPIC_FORMATS).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['BRIDGE_TOPIC_FORMATS'], message: 'needs BRIDGE_ADAPTERS on' });
    }
    if (env.PUBSUB_OBSERVATIONS_TOPIC === env.PUBSUB_TOPIC) {
      ctx.addIssue({ code: 'custom', path: ['PUBSUB_OBSERVATIONS_TOPIC'], message: 'must differ from PUBSUB_TOPIC' });
    }
    if (env.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > env.KAFKA_SESSION_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_HEARTBEAT_INTERVAL_MS'],
        message: 'must be at most a third of KAFKA_SESSION_TIMEOUT_MS',
      });
    }
    if (env.KAFKA_MAX_BYTES < env.KAFKA_MAX_BYTES_PER_PARTITION) {
      ctx.addIssue({ code: 'custom', path: ['KAFKA_MAX_BYTES'], message: 'must be at least KAFKA_MAX_BYTES_PER_PARTITION' });
    }
    if (env.PUBSUB_TOPIC.startsWith('projects/') && env.GOOGLE_CLOUD_PROJECT) {
      const project = env.PUBSUB_TOPIC.split('/')[1];
      if (project !== env.GOOGLE_CLOUD_PROJECT) {
        ctx.addIssue({ code: 'custom', path: ['PUBSUB_TOPIC'], message: `names project ${project}, not GOOGLE_CLOUD_PROJECT` });
      }
    }
  });

export interface BridgeConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    /** The main topic: mixed unless mapped in topicFormats. */
    topic: string;
    /** Every topic consumed: the main topic first, then the mapped ones. */
    topics: string[];
    /** The format of each mapped topic. */
    topicFormats: Record<string, InputFormat>;
    /** Parse records of the supported formats (else only our own JSON passes). */
    adapters: boolean;
    dlqTopic: string;
    fromBeginning: boolean;
    ssl: boolean;
    sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    maxWaitMs: number;
    maxBytesPerPartition: number;
    maxBytes: number;
    partitionsConcurrency: number;
    retries: number;
  };
  pubsub: {
    /** Undefined in production: the client library finds the project from the metadata server. */
    projectId?: string;
    emulatorHost?: string;
    topic: string;
    observationsTopic: string;
    createTopic: boolean;
    batching: { maxMessages: number; maxBytes: number; maxMilliseconds: number };
    /** Observations per message on observationsTopic (see batcher.ts). */
    observationBatch: { maxMessages: number; maxBytes: number; lingerMs: number };
  };
  flow: {
    maxInFlightMessages: number;
    maxInFlightBytes: number;
    commitIntervalMs: number;
    publishStallMs: number;
  };
  shutdownTimeoutMs: number;
  http: { port: number; host: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export type ConfigResult = { ok: true; config: BridgeConfig } | { ok: false; errors: string[] };

/** Reads and validates the bridge's configuration from an environment (normally `process.env`). */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  // An empty variable means "unset" (Cloud Run and shells both make those easily).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(environment)';
      const value = typeof issue.path[0] === 'string' ? cleaned[issue.path[0]] : undefined;
      const hidden = value === undefined || /PASSWORD/.test(key) || issue.message.includes(value);
      const shown = hidden ? '' : ` (got ${JSON.stringify(value)})`;
      return `${key} ${issue.message}${shown}`;
    });
    return { ok: false, errors };
  }
  const e = parsed.data;
  const projectId = e.GOOGLE_CLOUD_PROJECT ?? (e.PUBSUB_EMULATOR_HOST ? LOCAL_PROJECT_ID : undefined);
  const config: BridgeConfig = {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      groupId: e.KAFKA_GROUP_ID,
      topic: e.KAFKA_TOPIC,
      topics: [...new Set([e.KAFKA_TOPIC, ...Object.keys(e.BRIDGE_TOPIC_FORMATS)])],
      topicFormats: e.BRIDGE_TOPIC_FORMATS,
      adapters: e.BRIDGE_ADAPTERS,
      dlqTopic: e.KAFKA_DLQ_TOPIC,
      fromBeginning: e.KAFKA_FROM_BEGINNING,
      ssl: e.KAFKA_SSL ?? e.KAFKA_SASL_MECHANISM !== undefined,
      ...(e.KAFKA_SASL_MECHANISM && {
        sasl: {
          mechanism: e.KAFKA_SASL_MECHANISM,
          username: e.KAFKA_SASL_USERNAME ?? '',
          password: e.KAFKA_SASL_PASSWORD ?? '',
        },
      }),
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL_MS,
      maxWaitMs: e.KAFKA_MAX_WAIT_MS,
      maxBytesPerPartition: e.KAFKA_MAX_BYTES_PER_PARTITION,
      maxBytes: e.KAFKA_MAX_BYTES,
      partitionsConcurrency: e.KAFKA_PARTITIONS_CONCURRENCY,
      retries: e.KAFKA_RETRIES,
    },
    pubsub: {
      ...(projectId && { projectId }),
      ...(e.PUBSUB_EMULATOR_HOST && { emulatorHost: e.PUBSUB_EMULATOR_HOST }),
      topic: e.PUBSUB_TOPIC,
      observationsTopic: e.PUBSUB_OBSERVATIONS_TOPIC,
      createTopic: e.PUBSUB_CREATE_TOPIC,
      batching: {
        maxMessages: e.PUBSUB_BATCH_MAX_MESSAGES,
        maxBytes: e.PUBSUB_BATCH_MAX_BYTES,
        maxMilliseconds: e.PUBSUB_BATCH_MAX_MS,
      },
      observationBatch: {
        maxMessages: e.BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES,
        maxBytes: e.BRIDGE_OBSERVATION_BATCH_MAX_BYTES,
        lingerMs: e.BRIDGE_OBSERVATION_BATCH_LINGER_MS,
      },
    },
    flow: {
      maxInFlightMessages: e.BRIDGE_MAX_IN_FLIGHT_MESSAGES,
      maxInFlightBytes: e.BRIDGE_MAX_IN_FLIGHT_BYTES,
      commitIntervalMs: e.BRIDGE_COMMIT_INTERVAL_MS,
      publishStallMs: e.BRIDGE_PUBLISH_STALL_MS,
    },
    shutdownTimeoutMs: e.BRIDGE_SHUTDOWN_TIMEOUT_MS,
    http: { port: e.PORT, host: e.HOST },
    logLevel: e.LOG_LEVEL,
  };
  return { ok: true, config };
}

/** The configuration with secrets masked, for the start-up log line. */
export function describeConfig(config: BridgeConfig): Record<string, unknown> {
  return {
    ...config,
    kafka: {
      ...config.kafka,
      ...(config.kafka.sasl && { sasl: { ...config.kafka.sasl, password: '********' } }),
    },
  };
}
