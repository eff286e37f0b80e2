/** OpenAPI extension naming a rule JSON Schema cannot express, so contract tests accept the refusal. */
export const ALSO_REFUSED = 'x-also-refused'
