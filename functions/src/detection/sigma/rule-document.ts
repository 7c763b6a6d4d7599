import { z } from 'zod';
import { DetectionRuleSchema } from '../rule';
import type { CompiledSigma } from './compile';

/**
 * A `detectionRules/{id}` document holding a compiled Sigma rule: the engine's rule, and what an
 * analyst needs to judge a detection (the Sigma id, status, false positives, references). No
 * store for rules exists yet on the detection branch; this is the document shape the import
 * writes, for that store to adopt.
 */
export const SigmaRuleDocumentSchema = z.strictObject({
  rule: DetectionRuleSchema,
  source: z.literal('sigma'),
  sigma: z.strictObject({
    id: z.string(),
    title: z.string(),
    falsepositives: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
  /** Bumped whenever the compiled rule changes; an unchanged re-import keeps it. */
  version: z.number().int().min(1),
  importedAt: z.string(),
});
export type SigmaRuleDocument = z.infer<typeof SigmaRuleDocumentSchema>;

/** The document for a compiled rule, given the stored one (if any): same rule → same version. */
export function sigmaRuleDocument(compiled: CompiledSigma, previous: SigmaRuleDocument | undefined, now: Date): { document: SigmaRuleDocument; changed: boolean } {
  const same = previous !== undefined && JSON.stringify(previous.rule) === JSON.stringify(compiled.rule);
  if (same) return { document: previous, changed: false };
  const version = (previous?.version ?? 0) + 1;
  const document = SigmaRuleDocumentSchema.parse({
    rule: { ...compiled.rule, version },
    source: 'sigma',
    sigma: { id: compiled.sigmaId, title: compiled.title, falsepositives: compiled.falsepositives, warnings: compiled.warnings },
    version,
    importedAt: now.toISOString(),
  });
  return { document, changed: true };
}
