/** Errors of the web certificate service (issuance over HTTP, revocation). */
import { defineErrors } from '../../domain/errors.ts';

export const CredentialServiceError = defineErrors({
  'credential.issuance_limit': { status: 429, en: 'Too many web certificates were issued to you today; try again tomorrow.', zh: '今日领取的网证数量已达上限，请明天再试。' },
  'credential.duplicate_holder_key': { status: 400, en: 'Each web certificate in a batch needs its own device key.', zh: '同一批次中每张网证都需要单独的设备密钥。' },
  'credential.revoked': { status: 403, en: 'Your web certificates were revoked (your activity page says why and how to appeal); no new ones can be issued unless an appeal is upheld.', zh: '您的网证已被吊销（"活动记录"页面说明了原因及申诉方式）；除非申诉成立，否则不能再签发新的网证。' },
  'credential.unknown_device': { status: 400, en: 'This device is not registered to you.', zh: '该设备未登记在您名下。' },
  'credential.revocation_reason': { status: 400, en: 'The revocation reason is not one of the allowed reasons.', zh: '撤销理由不在允许的范围内。' },
  'status.list_not_found': { status: 404, en: 'There is no status list with this id.', zh: '不存在该状态列表。' },
});
