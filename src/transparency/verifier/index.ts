/**
 * The independent verifier's public surface. It depends on the pure RFC 9162 / C2SP files only,
 * never on the log's store or service.
 */
export { runLogVerify, type LogVerifyOptions, type LogVerifyReport, type LogProblem, type LogCheck } from './run-log-verify.ts';
export { httpTransport } from './http-transport.ts';
export type { LogTransport } from './transport.ts';
export { readVerifierState, writeVerifierState, type VerifierState, type VerifiedCheckpoint } from './state-file.ts';
