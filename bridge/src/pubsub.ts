import { PubSub, type Topic } from '@google-cloud/pubsub';
import type { BridgeConfig } from './config.js';

/** Called once Pub/Sub stored the message (error null) or the attempt failed. */
export type PublishCallback = (error: Error | null) => void;

/** What the bridge needs from Pub/Sub: publish one message, flush, close. */
export interface Publisher {
  /**
   * Publishes one message; `done` is called once Pub/Sub has stored it, or with the error.
   * A callback rather than a promise: this runs for every message, and the client's promise
   * wrapper (a promise, a closure and an argument array each) is measurable there.
   */
  publish(data: Buffer, attributes: Record<string, string>, done: PublishCallback): void;
  /** Sends the batches being gathered now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One long-lived Topic (the client batches and keeps its gRPC channel), created once at start.
 *
 * Batching: up to PUBSUB_BATCH_MAX_MESSAGES / _BYTES per request, or PUBSUB_BATCH_MAX_MS after
 * the first message, whichever comes first. Flow control: the client's own publisher flow
 * control is unbounded by default; it is set here to the bridge's window so the two agree, but
 * the binding bound is the bridge's InFlightLimiter, which the consumer waits on before it
 * publishes (the client applies `flowControlOptions` only through `topic.flowControlled()`,
 * which cannot report each message's result, and the bridge needs those to commit offsets).
 */
export async function createPubSubPublisher(
  config: BridgeConfig,
  topicName: string = config.pubsub.topic,
): Promise<Publisher & { topic: Topic }> {
  const { pubsub, flow } = config;
  // With PUBSUB_EMULATOR_HOST set, the client talks to the emulator (plain text, no credentials).
  const client = new PubSub(pubsub.projectId ? { projectId: pubsub.projectId } : {});
  const topic = client.topic(topicName, {
    batching: pubsub.batching,
    messageOrdering: false,
    flowControlOptions: {
      maxOutstandingMessages: flow.maxInFlightMessages,
      maxOutstandingBytes: flow.maxInFlightBytes,
    },
  });
  if (pubsub.createTopic) {
    const [exists] = await topic.exists();
    if (!exists) {
      try {
        await topic.create();
      } catch (error) {
        // 6 = ALREADY_EXISTS: someone else created it meanwhile.
        if ((error as { code?: number }).code !== 6) throw error;
      }
    }
  }
  return {
    topic,
    publish: (data, attributes, done) => topic.publishMessage({ data, attributes }, done),
    flush: () => topic.flush(),
    close: async () => {
      await topic.flush().catch(() => {});
      await client.close();
    },
  };
}
