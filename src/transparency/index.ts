/** The transparency log's public surface (see docs/transparency.md). */
export { TransparencyLog, type TransparencyLogDeps, type InclusionProof, type ConsistencyProof } from './log.ts';
export type { LogStore, LeafBatch, StoredNode, StoredCheckpoint } from './log-store.ts';
export { MemoryLogStore } from './memory-log-store.ts';
export { logRoutes, type LogRoute, type LogRouteResponse } from './http-routes.ts';
export { encodeLogEvent, decodeLogEvent, type LogEvent } from './entry.ts';
export { derivePersonLogKey, personCommitment, subjectFields, isOwnEvent, findOwnEntries } from './commitment.ts';
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
export { formatVerifierKey, parseVerifierKey, type NoteVerifierKey } from './note/verifier-key.ts';
export { leafHash, nodeHash, emptyRoot } from './hash.ts';
export { verifyInclusion } from './verify-inclusion.ts';
export { verifyConsistency } from './verify-consistency.ts';
export { LogError, logErrorSpecs, type LogErrorCode } from './errors.ts';
export { runLogVerify, httpTransport, type LogTransport, type LogVerifyReport } from './verifier/index.ts';
