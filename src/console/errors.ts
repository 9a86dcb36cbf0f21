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
  'console.operator_not_found': { status: 404, en: 'No such operator.', zh: '没有这名运营人员。' },
  'console.operator_not_active': { status: 409, en: 'This operator is disabled; nothing more can be done for them here.', zh: '该运营人员已停用，此处不能再为其执行操作。' },
  'console.cannot_disable_self': { status: 403, en: 'You cannot disable yourself. Ask another operator to do it.', zh: '不能停用自己。请由另一名运营人员执行。' },
  'console.cannot_reissue_self': { status: 403, en: 'Another operator must issue your new enrolment link (so a stolen session cannot add a passkey).', zh: '新的注册链接须由另一名运营人员签发（以免被盗用的会话添加通行密钥）。' },
  'console.answer_required': { status: 400, en: 'Choose uphold or dismiss and write an answer to the person (1–4000 characters).', zh: '请选择“申诉成立”或“驳回申诉”，并填写给本人的答复（1–4000 个字符）。' },
  'console.app_not_approved': { status: 409, en: 'Choose an approved app.', zh: '请选择一个已批准的应用。' },
  'console.block_invalid': { status: 400, en: 'A block needs a web number, an approved app, a reason and a reference (each at most 256 characters).', zh: '限制须填写网号、已批准的应用、理由和编号（每项最多 256 个字符）。' },
  'console.already_blocked': { status: 409, en: 'This person is already blocked from this app.', zh: '此人已被限制使用该应用。' },
  'console.operator_not_disabled': { status: 409, en: 'This operator is not disabled.', zh: '该运营人员未被停用。' },
  'console.not_blocked': { status: 409, en: 'This person is not blocked from this app (any more).', zh: '此人（已）未被限制使用该应用。' },
  'console.step_up_required': { status: 403, en: 'This act needs your passkey again: confirm it with your fingerprint, face or PIN on the console page.', zh: '此操作需再次验证您的通行密钥：请在控制台页面用指纹、面容或 PIN 确认。' },
  'console.step_up_failed': { status: 403, en: 'Your passkey confirmation was not accepted for this act (another act or target, already used, not your passkey, or without fingerprint, face or PIN). Nothing was changed; try again.', zh: '您的通行密钥确认不适用于此操作（操作或对象不符、已使用过、不是您的通行密钥，或未经指纹、面容或 PIN 验证）。未作任何更改，请重试。' },
  'console.step_up_invalid': { status: 400, en: 'A passkey confirmation needs a known act and its target.', zh: '通行密钥确认须指明已知的操作及其对象。' },
  'console.cross_origin': { status: 403, en: 'The request did not come from the console page.', zh: '该请求并非来自控制台页面。' },
});
