/**
 * Request-body fields shared by the admin routes of authority requests and revocations. The
 * bearer-token check covers the whole admin listener (adminTokenCheck, src/app/admin-routes.ts).
 * The operator acting is named by `operator_id` in the body until operator sign-in lands.
 */
export const operatorBody = { operator_id: { type: 'string', minLength: 1, maxLength: 128 } } as const;
