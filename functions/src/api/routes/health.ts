import { HealthSchema, type Health } from '../schemas';
import { defineRoute } from '../route';

export const healthRoute = defineRoute({
  method: 'get',
  path: '/api/health',
  operationId: 'getHealth',
  summary: 'Service health',
  description:
    'Public. Probes each dependency with a short timeout: Firestore (one document read), Pub/Sub (the security-events topic exists), Kafka (the bridge readiness URL, when configured) and Gemini (the analysis module\'s own state). Answers 503 when Firestore or Pub/Sub does not answer.',
  tags: ['health'],
  access: 'public',
  responses: {
    200: { description: 'Every required service answers (status ok or degraded).', schema: HealthSchema },
    503: { description: 'Firestore or Pub/Sub does not answer (status down).', schema: HealthSchema },
  },
  handler: async ({ deps }) => {
    const [firestore, pubsub, kafka, gemini] = await Promise.all([
      deps.health.firestore(),
      deps.health.pubsub(),
      deps.health.kafka(),
      deps.health.gemini(),
    ]);
    const down = firestore === 'degraded' || pubsub === 'degraded';
    const degraded = kafka === 'degraded' || gemini === 'degraded';
    const health: Health = {
      status: down ? 'down' : degraded ? 'degraded' : 'ok',
      timestamp: deps.now().toISOString(),
      version: deps.config.version,
      environment: deps.config.environment,
      services: { kafka, gemini, firestore, pubsub },
    };
    return { status: down ? 503 : 200, json: health };
  },
});
