// Types for broker.mjs (plain ESM so it runs without a build step).
export const ROOT: string;
export const LIBS_DIR: string;
export const RAW_TOPIC: string;
export const DLQ_TOPIC: string;
export interface TopicSpec {
  topic: string;
  numPartitions?: number;
}
export const DEFAULT_TOPICS: TopicSpec[];
export function prepareKafka(options?: { quiet?: boolean }): string;
export function parseBrokers(value: string): string[];
export function ensureTopics(brokers: string[], topics?: TopicSpec[], options?: { auth?: object }): Promise<string[]>;
export interface RunningKafka {
  brokers: string[];
  external: boolean;
  pid?: number;
  startMs: number;
  dataDir?: string;
  logFile?: string;
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
}
export function startKafka(options?: {
  port?: number;
  controllerPort?: number;
  keepData?: boolean;
  dataDir?: string;
  topics?: TopicSpec[];
  external?: boolean;
}): Promise<RunningKafka>;
