import { forKinds, type Layer } from '../dispatch.js';

/**
 * Embeddings of single texts, gathered into requests of at most `batchSize` texts (an
 * /embeddings call takes an array): the layer under the cache, so only misses are sent.
 */
export function batchEmbeddingsLayer(batchSize: number): Layer {
  const batchers = new Map<number | undefined, EmbeddingBatcher>();
  return forKinds(['embedding'], (call, next) => {
    const { text, dimensions } = call.input;
    let batcher = batchers.get(dimensions);
    if (!batcher) {
      batcher = new EmbeddingBatcher(batchSize, (texts) => next({ kind: 'embeddings', input: { texts, dimensions } }).then((r) => r.value));
      batchers.set(dimensions, batcher);
    }
    return batcher.embed(text).then((value) => ({ value }));
  });
}

interface Waiting {
  text: string;
  resolve: (vector: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the embedding requests of one turn of the event loop into requests of at most
 * `batchSize` texts (an /embeddings call takes an array). Holds no more than its callers
 * have in flight: they are the bound.
 */
export class EmbeddingBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly batchSize: number,
    private readonly send: (texts: string[]) => Promise<Float32Array[]>,
  ) {}

  embed(text: string): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ text, resolve, reject });
      if (this.waiting.length >= this.batchSize) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.batchSize);
      this.send(batch.map((w) => w.text)).then(
        (vectors) => {
          for (let i = 0; i < batch.length; i++) batch[i]!.resolve(vectors[i]!);
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      );
    }
  }
}
