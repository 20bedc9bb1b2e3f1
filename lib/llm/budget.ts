/** Prices of one model, in US dollars per million tokens. */
export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
}

export function costOf(price: Price | undefined, promptTokens: number, completionTokens: number): number {
  if (!price) return 0;
  return (promptTokens * price.input_per_mtok + completionTokens * price.output_per_mtok) / 1e6;
}

/** Raised for a request the budget does not admit; the record it belongs to is not processed. */
export class BudgetSpentError extends Error {}

/**
 * --max-cost and --max-requests for a whole run, over every model. A request is admitted
 * only if the cost already spent, plus what requests in flight may still cost (their
 * worst case, reserved when they started), plus this request's worst case stays within
 * the limit: the run stops before the budget is exceeded, not after.
 */
export class Budget {
  /** Aborted, with the reason, at the first request refused: the run stops reading. */
  readonly spent = new AbortController();
  private cost = 0;
  private reserved = 0;
  private requests = 0;

  constructor(
    private readonly maxCost: number | undefined,
    private readonly maxRequests: number | undefined,
  ) {}

  /** Reserves `worstCost` for a request, or throws BudgetSpentError (and stops the run). */
  admit(worstCost: number): void {
    let refusal: string | null = null;
    if (this.spent.signal.aborted) refusal = String(this.spent.signal.reason);
    else if (this.maxRequests !== undefined && this.requests + 1 > this.maxRequests) refusal = `the --max-requests budget (${this.maxRequests}) is spent`;
    else if (this.maxCost !== undefined && this.cost + this.reserved + worstCost > this.maxCost) {
      refusal = `the --max-cost budget ($${this.maxCost}) would be exceeded ($${round(this.cost)} spent, $${round(this.reserved)} in flight)`;
    }
    if (refusal !== null) {
      if (!this.spent.signal.aborted) this.spent.abort(refusal);
      throw new BudgetSpentError(`not processed: ${refusal}`);
    }
    this.requests++;
    this.reserved += worstCost;
  }

  /** A request admitted with `worstCost` finished (or failed) having cost `actualCost`. */
  settle(worstCost: number, actualCost: number): void {
    this.reserved -= worstCost;
    this.cost += actualCost;
  }
}

function round(x: number): string {
  return x.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}
