/** How the verifier reaches a log. HTTP in production (http-transport.ts); anything in tests. */
export interface LogTransport {
  /** The latest signed checkpoint note, verbatim. */
  fetchCheckpoint(): Promise<string>;
  fetchConsistencyProof(first: number, second: number): Promise<Uint8Array[]>;
  fetchInclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]>;
  /** Entries [start, end); the log may answer with fewer (a page), never with none. */
  fetchEntries(start: number, end: number): Promise<Uint8Array[]>;
}
