import { createServer, type RequestListener, type Server } from 'node:http';
import { Bridge } from './bridge.js';
import { describeConfig, loadConfig, type BridgeConfig } from './config.js';
import { createHttpHandler } from './http.js';
import { createKafka } from './kafka.js';
import { createLogger, type Logger } from './logger.js';
import { createBridgeMetrics, type BridgeMetrics } from './metrics.js';
import { createPubSubPublisher, type Publisher } from './pubsub.js';

export interface BridgeApp {
  bridge: Bridge;
  /** The HTTP handler (/healthz, /readyz, /metrics); listening is the caller's business. */
  handler: RequestListener;
  metrics: BridgeMetrics;
  publisher: Publisher;
  observationsPublisher: Publisher;
}

/** Builds the bridge and its HTTP handler from a validated config, without starting anything. */
export async function createBridgeApp(config: BridgeConfig, logger: Logger): Promise<BridgeApp> {
  const metrics = createBridgeMetrics();
  const { consumer, producer } = createKafka(config, logger);
  const publisher = await createPubSubPublisher(config, config.pubsub.topic);
  const observationsPublisher = await createPubSubPublisher(config, config.pubsub.observationsTopic);
  const bridge = new Bridge({ config, consumer, producer, publisher, observationsPublisher, metrics, logger });
  const handler = createHttpHandler({ status: () => bridge.status(), registry: metrics.registry });
  return { bridge, handler, metrics, publisher, observationsPublisher };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * The process: validate config (exit 1 with the reasons if bad), serve HTTP, run the bridge,
 * and on SIGTERM/SIGINT stop it within BRIDGE_SHUTDOWN_TIMEOUT_MS. Any crash exits non-zero.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    process.stderr.write(
      `bridge: invalid configuration, not starting:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  const config = loaded.config;
  const logger = createLogger(config.logLevel);

  let shuttingDown: Promise<void> | undefined;
  const exitAfterShutdown = (code: number, reason: string) => {
    shuttingDown ??= (async () => {
      logger.info('bridge.shutdown', { reason });
      // Cloud Run allows 10 s after SIGTERM; never outlive the budget, even if something hangs.
      const hardStop = setTimeout(() => {
        logger.error('bridge.shutdown.timeout', { afterMs: config.shutdownTimeoutMs + 1_000 });
        process.exit(code === 0 ? 1 : code);
      }, config.shutdownTimeoutMs + 1_000);
      hardStop.unref();
      try {
        const started = Date.now();
        await app?.bridge.stop(config.shutdownTimeoutMs);
        // The bridge already flushed; closing the gRPC channel must not eat the rest of the budget.
        const left = Math.max(200, config.shutdownTimeoutMs - (Date.now() - started));
        await Promise.race([Promise.all([app?.publisher.close(), app?.observationsPublisher.close()]), new Promise((r) => setTimeout(r, Math.min(1_000, left)))]);
        server?.close();
      } catch (error) {
        logger.error('bridge.shutdown.failed', { error });
        code = code === 0 ? 1 : code;
      }
      process.exit(code);
    })();
  };
  // Never exit 0 after an uncaught exception: the state is unknown, so no graceful drain either.
  process.on('uncaughtException', (error) => {
    logger.error('bridge.crashed', { error, kind: 'uncaughtException' });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('bridge.crashed', { error: reason, kind: 'unhandledRejection' });
    process.exit(1);
  });
  process.on('SIGTERM', () => exitAfterShutdown(0, 'SIGTERM'));
  process.on('SIGINT', () => exitAfterShutdown(0, 'SIGINT'));

  logger.info('bridge.config', { config: describeConfig(config) });
  let app: BridgeApp | undefined;
  let server: Server | undefined;
  try {
    app = await createBridgeApp(config, logger);
    app.bridge.on('fatal', (error) => {
      logger.error('bridge.fatal', { error });
      exitAfterShutdown(1, 'fatal error');
    });
    server = createServer(app.handler);
    server.keepAliveTimeout = 5_000;
    await listen(server, config.http.port, config.http.host);
    logger.info('http.listening', { port: config.http.port, host: config.http.host });
    await app.bridge.start();
  } catch (error) {
    logger.error('bridge.start.failed', { error });
    exitAfterShutdown(1, 'start-up failed');
  }
}

if (require.main === module) {
  void main();
}
