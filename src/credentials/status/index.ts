export { StatusBitset, STATUS_VALID, STATUS_INVALID, encodeStatusList, decodeStatusListBytes, statusAt, type BitsPerStatus } from './bitset.ts';
export { signStatusListToken, STATUS_LIST_JWT_TYP, STATUS_LIST_MEDIA_TYPE, type StatusListTokenInput } from './status-list-token.ts';
export { MemoryStatusAllocator, DEFAULT_LIST_SIZE, randomBelow, type StatusAllocator, type StatusReference } from './allocator.ts';
