import { Type, type Static } from '@sinclair/typebox';
import { withComputedDefault, withDefault, type ConfigOf } from '../config/defaults.js';

/** One entry of the graph file's `models:` map. */
export const ModelSchema = Type.Object(
  {
    base_url: withComputedDefault(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: "API root: OpenAI-compatible (…/v1), https://RESOURCE.openai.azure.com, or Anthropic's; several to balance over. `${VAR}` reads the environment.",
      }),
      'openai: $OPENAI_BASE_URL, else the built-in mock model; anthropic: https://api.anthropic.com',
    ),
    provider: withComputedDefault(
      Type.Union([Type.Literal('openai'), Type.Literal('azure'), Type.Literal('anthropic'), Type.Literal('mock')], {
        description:
          'The API spoken: "openai" (OpenAI and compatible servers: vLLM, Ollama, llama.cpp, TGI, OpenRouter), "azure" (Azure OpenAI), "anthropic" (the Messages API), "mock" (the built-in deterministic model whatever the environment says).',
      }),
      '"openai" (the mock when no base_url is set)',
    ),
    model: withComputedDefault(Type.String({ description: 'Model name sent to the server.' }), '$OPENAI_MODEL, else "mock-1"'),
    deployment: Type.Optional(Type.String({ minLength: 1, description: 'provider azure: the deployment name (the model is the one deployed there).' })),
    api_version: withDefault(Type.String({ minLength: 1, description: 'provider azure: the `api-version` query parameter.' }), '2024-10-21'),
    api_key_env: withComputedDefault(
      Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'NAME of the environment variable holding the API key.' }),
      'OPENAI_API_KEY; azure: AZURE_OPENAI_API_KEY; anthropic: ANTHROPIC_API_KEY',
    ),
    headers: withDefault(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String(), {
        description: 'Extra HTTP headers sent with every request; values may read the environment (`${VAR}`) and are never printed.',
      }),
      {},
    ),
    ca_file: Type.Optional(Type.String({ minLength: 1, description: "A PEM file of certificates to trust besides the system's (a company CA), relative to the graph file." })),
    query: withDefault(Type.Record(Type.String({ minLength: 1 }), Type.String(), { description: 'Extra query parameters added to every request URL.' }), {}),
    params: withDefault(Type.Record(Type.String(), Type.Unknown(), { description: 'Sampling parameters sent with every request.' }), {}),
    concurrency: withDefault(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Requests in flight at once (with batch: requests waiting in batches, 4096 unless set).' }), 16),
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
    strict_alternation: withDefault(
      Type.Boolean({
        description:
          'Bring each chat request into the form strict chat templates (Mistral, Gemma, Llama 2) need: a user turn first (seed_turn where it would start with the assistant or hold only a system prompt), and turns of one role in a row merged.',
      }),
      true,
    ),
    seed_turn: withDefault(Type.String({ minLength: 1, description: 'With strict_alternation: the user turn put first where a request has none.' }), 'Begin the conversation.'),
    batch: withDefault(
      Type.Boolean({
        description:
          "Send chat requests through the provider's batch API (OpenAI, Anthropic) at half price: collected, submitted together, polled; answers take minutes to hours. Needs the cache folder to resume.",
      }),
      false,
    ),
    batch_window_ms: withDefault(Type.Integer({ minimum: 1, description: 'With batch: a batch is submitted this long after its first request (or once full).' }), 2000),
    batch_poll_ms: withDefault(Type.Integer({ minimum: 1, description: 'With batch: how often a pending batch is asked how it stands.' }), 30_000),
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

/** The API key variable a model reads when it names none. */
export function defaultKeyVariable(provider: ModelConfig['provider']): string {
  return provider === 'azure' ? 'AZURE_OPENAI_API_KEY' : provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
}

/** Problems between a model's keys that a schema cannot see, by path under the model. */
export function checkModelConfigs(models: Record<string, ModelConfig>): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  for (const [name, model] of Object.entries(models)) {
    const urls = model.base_url === undefined ? [] : [model.base_url].flat();
    urls.forEach((url, i) => {
      const at = Array.isArray(model.base_url) ? [name, 'base_url', i] : [name, 'base_url'];
      let parsed: URL | null = null;
      try {
        parsed = new URL(url);
      } catch {
        // The URL may hold a password: say what is wrong with it, not what it is.
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) problems.push({ path: at, message: 'not an http:// or https:// URL' });
    });
    if (model.batch === true && model.provider === 'azure') problems.push({ path: [name, 'batch'], message: 'the batch API is not available for provider azure (yet): use openai or anthropic' });
    if (model.provider === 'azure') {
      if (urls.length === 0) problems.push({ path: [name], message: 'provider azure needs base_url: https://RESOURCE.openai.azure.com' });
      if (model.deployment === undefined) problems.push({ path: [name], message: 'provider azure needs deployment: the name of the deployment to call' });
    } else if (model.deployment !== undefined) {
      problems.push({ path: [name, 'deployment'], message: 'deployment applies to provider azure only' });
    }
  }
  return problems;
}
