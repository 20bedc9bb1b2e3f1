/**
 * The tables of a banded LSH index: per band, a map from band key to the ids that have it
 * (a lone id is stored bare, to spare an array per entry). Lists each id that shares at
 * least one band with a query once, however many bands it shares.
 */
export class BandTables {
  private readonly tables: Array<Map<number, number | number[]>>;
  /** The query that last listed each id. */
  private listedBy = new Uint32Array(1024);
  private query = 0;

  constructor(bands: number) {
    this.tables = Array.from({ length: bands }, () => new Map());
  }

  add(keys: Uint32Array, id: number): void {
    if (id >= this.listedBy.length) this.listedBy = grown(this.listedBy, Math.max(id + 1, this.listedBy.length * 2));
    for (let band = 0; band < keys.length; band++) {
      const table = this.tables[band]!;
      const bucket = table.get(keys[band]!);
      if (bucket === undefined) table.set(keys[band]!, id);
      else if (typeof bucket === 'number') table.set(keys[band]!, [bucket, id]);
      else bucket.push(id);
    }
  }

  /** Calls `visit` once for every id sharing a band key with `keys`. */
  candidates(keys: Uint32Array, visit: (id: number) => void): void {
    this.query = (this.query + 1) >>> 0 || 1;
    for (let band = 0; band < keys.length; band++) {
      const bucket = this.tables[band]!.get(keys[band]!);
      if (bucket === undefined) continue;
      if (typeof bucket === 'number') this.list(bucket, visit);
      else for (const id of bucket) this.list(id, visit);
    }
  }

  private list(id: number, visit: (id: number) => void): void {
    if (this.listedBy[id] === this.query) return;
    this.listedBy[id] = this.query;
    visit(id);
  }
}

/** A copy of `array` with room for `length` elements. */
export function grown<T extends Uint32Array | Float32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}
