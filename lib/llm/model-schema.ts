import { Type, type Static } from '@sinclair/typebox';
import { withComputedDefault, withDefault, type ConfigOf } from '../config/defaults.js';

/** One entry of the graph file's `models:` map. */
export const ModelSchema = Type.Object(
  {
    base_url: withComputedDefault(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: 'OpenAI-compatible API root (…/v1), or several to balance over.',
      }),
      '$OPENAI_BASE_URL, else the built-in mock model',
    ),
    provider: Type.Optional(
      Type.Union([Type.Literal('openai'), Type.Literal('mock')], {
        description: '"mock" forces the built-in deterministic model whatever the environment says.',
      }),
    ),
    model: withComputedDefault(Type.String({ description: 'Model name sent to the server.' }), '$OPENAI_MODEL, else "mock-1"'),
    api_key_env: withDefault(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'NAME of the environment variable holding the API key.' }), 'OPENAI_API_KEY'),
    params: withDefault(Type.Record(Type.String(), Type.Unknown(), { description: 'Sampling parameters sent with every request.' }), {}),
    concurrency: withDefault(Type.Integer({ minimum: 1, maximum: 4096, description: 'Requests in flight at once.' }), 16),
    rpm: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Requests per minute.' })),
    tpm: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Tokens per minute (prompt + completion).' })),
    timeout_ms: withDefault(Type.Integer({ minimum: 1, description: 'Per-request timeout.' }), 60_000),
    retries: withDefault(Type.Integer({ minimum: 0, maximum: 50, description: 'Retries on network errors, 408, 409, 429 and 5xx, at least (see retry_window_ms).' }), 5),
    retry_window_ms: withDefault(
      Type.Integer({
        minimum: 0,
        description:
          'A failing request is retried for at least this long as well as `retries` times, so an outage or a storm of 429s shorter than it fails no record; the circuit breaker opens only on failures in a row for this long.',
      }),
      60_000,
    ),
    price: Type.Optional(
      Type.Object(
        {
          input_per_mtok: Type.Number({ minimum: 0, description: 'US dollars per million prompt tokens.' }),
          output_per_mtok: Type.Number({ minimum: 0, description: 'US dollars per million completion tokens.' }),
        },
        { additionalProperties: false, description: 'Prices, for the cost in --stats and progress, and for --max-cost.' },
      ),
    ),
    batch_size: withDefault(Type.Integer({ minimum: 1, maximum: 2048, description: 'Texts per /embeddings request, for embedding models.' }), 64),
    balance: withDefault(
      Type.Union([Type.Literal('least_outstanding'), Type.Literal('round_robin')], {
        description: 'How requests spread over several base_url endpoints.',
      }),
      'least_outstanding',
    ),
  },
  { additionalProperties: false },
);

/** A `models:` entry as written in the file. */
export type ModelConfig = Static<typeof ModelSchema>;
/** A `models:` entry with its defaults filled in. */
export type ModelSettings = ConfigOf<typeof ModelSchema>;
