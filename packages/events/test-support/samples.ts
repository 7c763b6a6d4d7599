import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NormalizedEventSchema, type ParseOutcome } from '../src/schema.js';

export const SAMPLES_DIR = join(__dirname, '..', 'samples');

/** A committed sample file's text. */
export function sample(format: string, file: string): string {
  return readFileSync(join(SAMPLES_DIR, format, file), 'utf8');
}

/** The non-empty lines of a sample file. */
export function sampleLines(format: string, file: string): string[] {
  return sample(format, file).split('\n').filter((line) => line.trim() !== '');
}

export function sampleFiles(format: string): string[] {
  return readdirSync(join(SAMPLES_DIR, format)).filter((file) => file !== 'NOTICE' && !file.endsWith('.md'));
}

/** The events of a successful outcome, each checked against the schema. */
export function events(outcome: ParseOutcome) {
  if (!outcome.ok) throw new Error(`expected events, got ${outcome.reason}: ${outcome.message}`);
  for (const event of outcome.events) NormalizedEventSchema.parse(event);
  return outcome.events;
}

export function refusal(outcome: ParseOutcome) {
  if (outcome.ok) throw new Error(`expected a refusal, got ${JSON.stringify(outcome.events).slice(0, 300)}`);
  return outcome;
}
