/**
 * Stable error codes of the web certificate library. The verifier returns them as values
 * (`{ ok: false, error: { code, message } }`); issuance and the holder throw them as NetidErrors.
 */
import { defineErrors } from '../domain/errors.ts';

export const VERIFICATION_ERRORS = {
  'vp.malformed': { status: 400, en: 'The presentation is not a well-formed SD-JWT with key binding.', zh: '出示内容不是格式正确的 SD-JWT。' },
  'vp.signature_invalid': { status: 400, en: "The issuer's signature is not valid.", zh: '签发方签名无效。' },
  'vp.unknown_key': { status: 400, en: 'The credential was signed by a key or issuer this verifier does not trust.', zh: '凭证的签名密钥或签发方不受信任。' },
  'vp.disclosure_tampered': { status: 400, en: 'A disclosure does not match any digest signed by the issuer.', zh: '某项披露与签发方签名的摘要不符。' },
  'vp.disclosure_unreferenced': { status: 400, en: 'A disclosure is repeated or not reachable from the disclosed claims.', zh: '某项披露重复或未被引用。' },
  'vp.key_binding_missing': { status: 400, en: 'The presentation has no key binding JWT.', zh: '出示内容缺少设备密钥绑定。' },
  'vp.key_binding_invalid': { status: 400, en: "The key binding JWT is not valid for the credential's holder key.", zh: '设备密钥绑定无效。' },
  'vp.nonce_mismatch': { status: 400, en: 'The key binding JWT was made for another nonce.', zh: '随机数不匹配。' },
  'vp.audience_mismatch': { status: 400, en: 'The key binding JWT was made for another verifier.', zh: '出示对象不匹配。' },
  'vp.sd_hash_mismatch': { status: 400, en: 'The key binding JWT does not cover the presented disclosures.', zh: '密钥绑定未覆盖所出示的内容。' },
  'vp.expired': { status: 400, en: 'The credential has expired.', zh: '凭证已过期。' },
  'vp.not_yet_valid': { status: 400, en: 'The credential is not valid yet.', zh: '凭证尚未生效。' },
  'vp.revoked': { status: 400, en: 'The credential has been revoked.', zh: '凭证已被撤销。' },
  'vp.status_unavailable': { status: 503, en: "The credential's status list could not be obtained.", zh: '无法获取凭证状态列表。' },
  'vp.wrong_type': { status: 400, en: 'The credential is not of the expected type.', zh: '凭证类型不符。' },
  'vp.claim_missing': { status: 400, en: 'A required claim was not disclosed.', zh: '缺少必需的披露项。' },
} as const;

export type VerificationErrorCode = keyof typeof VERIFICATION_ERRORS;

export const VerificationError = defineErrors(VERIFICATION_ERRORS);

export const CredentialError = defineErrors({
  'credential.invalid_subject': { status: 400, en: 'The subject data for the web certificate is invalid.', zh: '网证主体数据无效。' },
  'credential.invalid_holder_key': { status: 400, en: 'A device public key is not a P-256 public JWK.', zh: '设备公钥不是 P-256 公钥。' },
  'credential.claim_not_in_credential': { status: 400, en: 'The credential does not contain a requested claim.', zh: '凭证不包含所请求的项目。' },
  'credential.batch_exhausted': { status: 409, en: 'Every credential in the batch has been used or has expired; fetch a new batch.', zh: '本批网证已用完或已过期，请更新。' },
  'status.allocator_exhausted': { status: 503, en: 'No free status-list index is left.', zh: '状态列表索引已用尽。' },
});
