/** Types of sd-jwt-holder.js (a browser module the Node tests import too). */
export interface PublicJwk { readonly kty: string; readonly crv: string; readonly x: string; readonly y: string }
export interface HolderKey { readonly privateKey: CryptoKey; readonly publicJwk: PublicJwk }
export interface DecodedDisclosure { readonly encoded: string; readonly salt: string; readonly name: string; readonly value: unknown }
export interface DecodedCredential { readonly jwt: string; readonly payload: Record<string, any>; readonly disclosures: DecodedDisclosure[] }
export interface StoredCredential { readonly sdJwt: string; readonly privateKey: CryptoKey; readonly exp: number; readonly webNumber: string | null }

export const DYNAMIC_QR_AUDIENCE: string;
export const DYNAMIC_QR_WINDOW_SECONDS: number;
export const DEFAULT_QR_CLAIMS: readonly string[];
export function dynamicQrNonce(ms: number): string;
export function nextWindowStart(ms: number): number;
export function bytesToB64url(bytes: ArrayBuffer | Uint8Array): string;
export function b64urlToBytes(text: string): Uint8Array;
export function sha256B64url(text: string): Promise<string>;
export function decodeCredential(sdJwt: string): DecodedCredential;
export function selectDisclosures(credential: DecodedCredential, claims: readonly string[]): Promise<string[]>;
export function signEs256(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: CryptoKey): Promise<string>;
export function presentCredential(input: { sdJwt: string; privateKey: CryptoKey; claims: readonly string[]; nonce: string; audience: string; nowMs: number }): Promise<string>;
export function dynamicQrPresentation(input: { sdJwt: string; privateKey: CryptoKey; nowMs: number; claims?: readonly string[] }): Promise<string>;
export function generateHolderKeys(count: number): Promise<HolderKey[]>;
export function jwkThumb(jwk: { crv?: string; x?: string; y?: string }): string;
export function pairCredentials(credentials: readonly string[], keys: readonly HolderKey[]): StoredCredential[];
