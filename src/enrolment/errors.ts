/** Stable error codes of the enrolment flow (en + zh), mapped to HTTP by src/http/error-mapper.ts; account recovery (src/recovery) answers its proofing steps with them too. */
import { defineErrors } from '../domain/errors.ts';

export const EnrolmentError = defineErrors({
  'enrolment.not_found': { status: 404, en: 'No such enrolment (or account recovery).', zh: '未找到该注册申请（或账户找回申请）。' },
  'enrolment.wrong_state': { status: 409, en: 'This step cannot be taken now; see the enrolment for the next step.', zh: '当前无法执行此步骤；请查看注册申请的下一步。' },
  'enrolment.expired': { status: 410, en: 'This enrolment (or account recovery) has expired; please start again.', zh: '该注册申请（或账户找回申请）已过期，请重新开始。' },
  'enrolment.registry_mismatch': { status: 422, en: 'The details do not match the population registry. Check each of them against your document, correct what differs and submit again.', zh: '所填信息与人口登记信息不一致。请对照证件逐项核对，改正后再次提交。' },
  'enrolment.document_not_valid': { status: 422, en: 'This document is not valid in the population registry (for example reported lost); use a valid document.', zh: '该证件在人口登记中无效（例如已挂失），请使用有效证件。' },
  'enrolment.face_mismatch': { status: 422, en: 'The photo does not match the registered portrait.', zh: '照片与登记照片不一致。' },
  'enrolment.liveness_failed': { status: 422, en: 'The liveness check did not pass; please try again facing the camera in good light.', zh: '活体检测未通过，请在光线充足处正对摄像头重试。' },
  'enrolment.face_attempts_exhausted': { status: 422, en: 'Too many face attempts; this enrolment has been closed. Please start again later.', zh: '人脸核验次数过多，本次注册已关闭，请稍后重新开始。' },
  'enrolment.challenge_required': { status: 409, en: 'Fetch a liveness challenge first (GET …/face/challenge).', zh: '请先获取活体检测指令（GET …/face/challenge）。' },
  'enrolment.guardian_required': { status: 409, en: 'A guardian must approve this enrolment first.', zh: '须先由监护人批准本次注册。' },
  'enrolment.guardian_not_enrolled': { status: 409, en: 'The guardian named in the registry does not hold an active web number yet; the guardian must enrol first.', zh: '登记的监护人尚未持有有效网号，监护人须先注册。' },
  'enrolment.guardian_refused': { status: 403, en: 'This passkey does not belong to the guardian named in the registry.', zh: '该通行密钥不属于登记的监护人。' },
  'enrolment.sample_selfie_development_only': { status: 403, en: 'Sample selfies exist only in development mode; take the selfie with the camera.', zh: '示例自拍仅在开发模式下提供，请用摄像头自拍。' },
  'enrolment.no_sample_selfie': { status: 404, en: 'This document is not one of the demo identities (or the demo photographs are not installed), so there is no sample selfie; take the selfie with the camera.', zh: '该证件不是演示身份（或未安装演示照片），没有示例自拍，请用摄像头自拍。' },
  'enrolment.passkey_invalid': { status: 400, en: 'The passkey response could not be verified.', zh: '无法验证通行密钥的响应。' },
});
