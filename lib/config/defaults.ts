import { Type, type Static, type TObject, type TOptional, type TProperties, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

declare const HAS_DEFAULT: unique symbol;

/**
 * An optional key with a default: it may be left out of the file, and the config that code
 * reads always has it. The default lives in the schema, so the documentation shows it and
 * no code repeats it.
 */
export type TDefaulted<T extends TSchema> = TOptional<T> & { readonly [HAS_DEFAULT]: true };

export function withDefault<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  return Type.Optional({ ...schema, default: value } as T) as TDefaulted<T>;
}

/**
 * An optional key whose default is worked out when it is used (from another key, or from
 * the model): `text` says how, for the documentation.
 */
export function withComputedDefault<T extends TSchema>(schema: T, text: string): TOptional<T> {
  return Type.Optional({ ...schema, 'x-default': text } as T) as TOptional<T>;
}

type DefaultedKeys<P extends TProperties> = { [K in keyof P]: P[K] extends { readonly [HAS_DEFAULT]: true } ? K : never }[keyof P];

/** The config as code reads it: what the schema allows, with every defaulted key present. */
export type ConfigOf<S extends TObject> = Static<S> & { [K in DefaultedKeys<S['properties']> & keyof Static<S>]-?: Exclude<Static<S>[K], undefined> };

/** A copy of `value` (already checked against `schema`) with the schema's defaults filled in, nested ones too. */
export function applyDefaults<S extends TObject>(schema: S, value: unknown): ConfigOf<S> {
  return Value.Default(schema, structuredClone(value)) as ConfigOf<S>;
}

/** The documented default of a key's schema: its `default` as JSON, or the text of a computed one. */
export function defaultOf(schema: Record<string, unknown>): string | null {
  if ('default' in schema) return `\`${JSON.stringify(schema.default)}\``;
  return typeof schema['x-default'] === 'string' ? schema['x-default'] : null;
}
