import type AjvModule from 'ajv';

type AjvClass = typeof AjvModule.default;
let ajvClass: Promise<AjvClass> | null = null;

/** ajv is loaded by graphs that use a JSON Schema only: the others start faster without it. */
function loadAjv(): Promise<AjvClass> {
  // ajv is CommonJS with a default export; under ESM the class sits on `.default`.
  ajvClass ??= import('ajv').then((m) => ((m.default as unknown as { default?: AjvClass }).default ?? m.default) as unknown as AjvClass);
  return ajvClass;
}

export type JsonCheck = (value: unknown) => string | null;

/** Compiles a JSON Schema into a check returning the first failure (path and message), or null. */
export async function compileJsonSchema(schema: Record<string, unknown>): Promise<JsonCheck | { error: string }> {
  const Ajv = await loadAjv();
  const ajv = new Ajv({ allErrors: false, strict: false });
  try {
    const validate = ajv.compile(schema);
    return (value) => {
      if (validate(value)) return null;
      const e = validate.errors?.[0];
      return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'does not match the schema';
    };
  } catch (err) {
    return { error: `invalid JSON Schema: ${(err as Error).message}` };
  }
}

/**
 * The JSON value in a model's answer: the whole text, else the inside of a ```json fence,
 * else the outermost {...} or [...]. Undefined when there is none.
 */
export function extractJson(text: string): unknown {
  const attempts: string[] = [text];
  const fence = /```(?:json|JSON)?\s*\n([\s\S]*?)```/.exec(text);
  if (fence) attempts.push(fence[1]!);
  const open = text.search(/[{[]/);
  const close = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (open !== -1 && close > open) attempts.push(text.slice(open, close + 1));
  for (const candidate of attempts) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}
