/** Dependencies every credential use case takes as arguments, so tests are exact. */

/** The current time. */
export type Clock = () => Date;

/** Cryptographically secure random bytes (node:crypto randomBytes in production). */
export type RandomBytes = (size: number) => Uint8Array;
