/**
 * Stable error codes of account recovery (en + zh), mapped to HTTP by src/http/error-mapper.ts.
 * The proofing steps a recovery shares with enrolment (document, face, guardian) answer with the
 * enrolment's codes, so that someone who does not match learns the same from both.
 */
import { defineErrors } from '../domain/errors.ts';

export const RecoveryError = defineErrors({
  'recovery.not_enrolled': { status: 409, en: 'No netid account is enrolled with this document, so there is nothing to recover; enrol instead.', zh: '该证件没有已注册的 netid 账户，无需找回；请直接注册。' },
  'recovery.notice_not_found': { status: 404, en: 'There is no account recovery notice to dismiss.', zh: '没有需要关闭的账户找回提示。' },
});
