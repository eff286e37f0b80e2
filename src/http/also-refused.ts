/**
 * The OpenAPI extension that states, in words, a rule a field is held to beyond what JSON Schema
 * can say (a length after NFKC, a list of common passwords). Its text is the field's description
 * too; the tests' request check reads it to tell such a refusal from a document that is too loose.
 *
 * @example
 * z.string().refine(isAllowed).openapi({ description: RULE, [ALSO_REFUSED]: RULE })
 */
export const ALSO_REFUSED = 'x-also-refused'
