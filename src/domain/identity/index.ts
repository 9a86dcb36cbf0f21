/**
 * Identity attributes and the claims derived from them, declared once: the sealed record
 * (record.ts), the declaration table (attributes.ts), and the two derivation rules that needed
 * one home, age (age.ts) and region group (region-group.ts).
 */
export type { IdentityAttributes, IdentityFacts } from './record.ts';
export { AGE_THRESHOLDS, ageOn, type AgeThreshold } from './age.ts';
export { REGION_GROUPS, regionGroupOf, type RegionGroup } from './region-group.ts';
export { ATTRIBUTE_IDS, IDENTITY_ATTRIBUTES, SIGN_IN_CLAIMS, claimLabel, type AttributeDeclaration, type AttributeId, type AttributeValues, type Evidence, type Label } from './attributes.ts';
