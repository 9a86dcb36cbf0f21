/** Error codes of the operator console (shown on its pages in zh-CN and English). */
import { defineErrors } from '../domain/errors.ts';

export const ConsoleError = defineErrors({
  'console.signin_required': { status: 401, en: 'Sign in to the console with your passkey first.', zh: '请先使用通行密钥登录控制台。' },
  'console.read_only': { status: 403, en: 'Auditors can read the console but cannot act.', zh: '审计员只能查看控制台，不能执行操作。' },
  'console.enrolment_link_invalid': { status: 410, en: 'This enrolment link is unknown, already used or expired. Ask for a new one (netid operator create).', zh: '此注册链接无效、已使用或已过期。请重新申请（netid operator create）。' },
  'console.unknown_passkey': { status: 401, en: 'This passkey is not registered for an active console operator.', zh: '该通行密钥未登记给在职的控制台操作员。' },
  'console.passkey_failed': { status: 400, en: 'The passkey could not be verified. Try again.', zh: '无法验证通行密钥，请重试。' },
  'console.invalid_operator': { status: 400, en: 'An operator needs a name (1–200 characters) and the role operator or auditor.', zh: '操作员须有姓名（1–200 个字符），角色须为 operator 或 auditor。' },
  'console.person_not_found': { status: 404, en: 'No active person has this web number. Check it and try again.', zh: '没有使用此网号的在用用户，请核对后重试。' },
  'console.cross_origin': { status: 403, en: 'The request did not come from the console page.', zh: '该请求并非来自控制台页面。' },
});
