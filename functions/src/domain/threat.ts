import { z } from 'zod';
import { SeveritySchema } from './event';

/** Where an address sits: the network zone decides how much a touch on it matters. */
export const NETWORK_ZONES = [
  'private',
  'loopback',
  'link_local',
  'multicast',
  'reserved',
  'internal',
  'public',
] as const;
export const NetworkZoneSchema = z.enum(NETWORK_ZONES);
export type NetworkZone = z.infer<typeof NetworkZoneSchema>;

/** Enrichment of one IP address: location, network owner and zone. */
export const GeoSchema = z.object({
  ip: z.string(),
  zone: NetworkZoneSchema,
  country: z.string().length(2).optional(),
  city: z.string().optional(),
  asn: z.number().int().nonnegative().optional(),
  org: z.string().optional(),
  criticalAsset: z.boolean().optional(),
});
export type Geo = z.infer<typeof GeoSchema>;

export const MitreTechniqueSchema = z.object({
  id: z.string().regex(/^T\d{4}(\.\d{3})?$/),
  name: z.string(),
  tactic: z.string(),
});
export type MitreTechnique = z.infer<typeof MitreTechniqueSchema>;

export const ANALYSIS_ENGINES = ['rules', 'gemini'] as const;
export const AnalysisEngineSchema = z.enum(ANALYSIS_ENGINES);

/** What an engine concluded about an event, with the evidence it read. */
export const AnalysisSchema = z.object({
  engine: AnalysisEngineSchema,
  summary: z.string(),
  category: z.string(),
  /** 0..1: how sure the engine is that this is what it says. */
  confidence: z.number().min(0).max(1),
  mitre: z.array(MitreTechniqueSchema),
  /** Facts read from the payload that support the conclusion, e.g. {attempts: 150}. */
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** 0..1: how strong the evidence is for the category (drives the score's evidence factor). */
  evidenceStrength: z.number().min(0).max(1),
  recommendedActions: z.array(z.string()).default([]),
});
export type Analysis = z.infer<typeof AnalysisSchema>;

export const RiskFactorSchema = z.object({
  name: z.string(),
  /** Points this factor adds to (or, when negative, takes from) the 0..100 score. */
  contribution: z.number(),
  detail: z.string(),
});
export type RiskFactor = z.infer<typeof RiskFactorSchema>;

export const RiskSchema = z.object({
  score: z.number().int().min(0).max(100),
  severity: SeveritySchema,
  factors: z.array(RiskFactorSchema),
});
export type Risk = z.infer<typeof RiskSchema>;
