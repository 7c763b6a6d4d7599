// Types for tools/schedules.mjs (plain JavaScript, so that tools/emulators.mjs runs it without a build).

export function schedulePeriodMs(schedule: string): number;
export function nextFireMs(nowMs: number, periodMs: number, speedup?: number): number;
export interface ScheduledFunction {
  name: string;
  region: string;
  schedule: string;
}
export function scheduledFunctions(backends: unknown): ScheduledFunction[];
export function fireScheduledFunction(options: {
  functionsOrigin: string;
  projectId: string;
  name: string;
  region?: string;
  scheduleTime?: Date;
}): Promise<void>;
export function runSchedules(options: {
  functionsOrigin: string;
  projectId: string;
  log?: (line: string) => void;
  speedup?: number;
  rediscoverMs?: number;
}): { done: Promise<void>; stop(): void };
