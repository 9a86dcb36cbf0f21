/** Error codes of revocation with due process. */
import { defineErrors } from '../domain/errors.ts';

export const RevocationError = defineErrors({
  'revocation.not_found': { status: 404, en: 'No such revocation.', zh: '未找到该吊销记录。' },
  'revocation.reason_required': { status: 400, en: 'A revocation needs a reason from the closed list and a reference (fraud needs the named procedure).', zh: '吊销须从限定列表中选择理由并提供编号（欺诈须注明认定程序）。' },
  'revocation.source_mismatch': { status: 400, en: 'This reason cannot come from this source.', zh: '该理由不能由此来源提出。' },
  'revocation.second_approval_required': { status: 403, en: 'A second, different operator must approve this revocation.', zh: '此吊销须由另一名操作员批准。' },
  'revocation.invalid_state': { status: 409, en: 'The revocation is not in a state that allows this step.', zh: '该吊销当前状态不允许此操作。' },
  'revocation.person_not_found': { status: 404, en: 'No such person.', zh: '未找到该用户。' },
  'revocation.appeal_not_allowed': { status: 409, en: 'Only an applied revocation of your own, without an open appeal, can be appealed.', zh: '只能对本人已生效且无待处理申诉的吊销提出申诉。' },
  'revocation.appeal_not_found': { status: 404, en: 'No such open appeal.', zh: '未找到待处理的申诉。' },
  'revocation.registry_not_confirmed': { status: 409, en: "The registry's record of this person's document does not say so; nothing was stored. An operator can propose the revocation in the console (a second operator approves).", zh: '登记库中此人证件的记录并未显示该情况，未保存任何内容。可由操作员在控制台提出吊销（须另一名操作员批准）。' },
  'revocation.field_required': { status: 400, en: 'A required field is missing or too long.', zh: '缺少必填字段或字段过长。' },
});
