import { Type, type Static } from '@sinclair/typebox';

/** One entry of the graph file's `models:` map. */
export const ModelSchema = Type.Object(
  {
    base_url: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: 'OpenAI-compatible API root (…/v1), or several to balance over. Default: $OPENAI_BASE_URL, else the built-in mock model.',
      }),
    ),
    provider: Type.Optional(
      Type.Union([Type.Literal('openai'), Type.Literal('mock')], {
        description: '"mock" forces the built-in deterministic model whatever the environment says.',
      }),
    ),
    model: Type.Optional(Type.String({ description: 'Model name sent to the server. Default: $OPENAI_MODEL, else "mock-1".' })),
    api_key_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'NAME of the environment variable holding the API key.' })),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Sampling parameters sent with every request.' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, description: 'Requests in flight at once (default 16).' })),
    rpm: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Requests per minute.' })),
    tpm: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Tokens per minute (prompt + completion).' })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 1, description: 'Per-request timeout (default 60000).' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 50, description: 'Retries on network errors, 408, 409, 429 and 5xx (default 5).' })),
    price: Type.Optional(
      Type.Object(
        {
          input_per_mtok: Type.Number({ minimum: 0, description: 'US dollars per million prompt tokens.' }),
          output_per_mtok: Type.Number({ minimum: 0, description: 'US dollars per million completion tokens.' }),
        },
        { additionalProperties: false, description: 'Prices, for the cost in --stats and progress, and for --max-cost.' },
      ),
    ),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 2048, description: 'Texts per /embeddings request, for embedding models (default 64).' })),
    balance: Type.Optional(
      Type.Union([Type.Literal('least_outstanding'), Type.Literal('round_robin')], {
        description: 'How requests spread over several base_url endpoints (default least_outstanding).',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ModelConfig = Static<typeof ModelSchema>;
