/** The stable error codes of sign-in with netid (interaction pages and scan-to-login), in zh-CN and en. */
import { defineErrors } from '../domain/errors.ts';

export const OidcError = defineErrors({
  'oidc.interaction_expired': { status: 400, en: 'This sign-in has expired or was already completed; start again from the app.', zh: '此次登录已过期或已完成，请从应用重新开始。' },
  'oidc.app_unavailable': { status: 403, en: 'This app may not sign people in with netid now (pending approval or suspended).', zh: '此应用目前不能使用 netid 登录（待批准或已暂停）。' },
  'oidc.passkey_failed': { status: 401, en: 'The passkey could not be verified.', zh: '无法验证通行密钥。' },
  'oidc.user_verification_required': { status: 401, en: 'This app needs your device to verify you (PIN or biometrics).', zh: '此应用要求设备验证您的身份（PIN 或生物识别）。' },
  'oidc.face_required': { status: 409, en: 'Complete the live face check first.', zh: '请先完成实时人脸比对。' },
  'oidc.face_failed': { status: 422, en: 'The live face check did not succeed. Try again in good light, facing the camera.', zh: '实时人脸比对未通过。请在光线充足处正对摄像头重试。' },
  'oidc.scan_expired': { status: 404, en: 'This code has expired or was already used. Reload the sign-in page for a new one.', zh: '此二维码已过期或已被使用。请在登录页面刷新以获取新的二维码。' },
  'oidc.face_unavailable': { status: 422, en: 'A live face check is not possible for your identity, so this app\'s high assurance level cannot be reached.', zh: '您的身份无法进行实时人脸比对，因此无法达到此应用要求的高等级认证。' },
});
