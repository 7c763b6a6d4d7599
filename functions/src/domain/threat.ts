// What a threat is made of (geo, analysis, ATT&CK, risk): shared with the dashboard, so defined
// once in @threatstream/events (documents.ts) and re-exported here for the functions' own imports.
export {
  ANALYSIS_ENGINES,
  AnalysisEngineSchema,
  AnalysisSchema,
  GeoSchema,
  MitreTechniqueSchema,
  NETWORK_ZONES,
  NetworkZoneSchema,
  RiskFactorSchema,
  RiskSchema,
  type Analysis,
  type Geo,
  type MitreTechnique,
  type NetworkZone,
  type Risk,
  type RiskFactor,
} from '@threatstream/events';
