/**
 * A value passed through a promise in a box that the receiver empties.
 *
 * A promise holds its value for as long as the promise lives. One that waited across a
 * young-generation collection (for input, or for a worker thread) has moved to the old
 * generation, and from there it keeps its value (a batch, with all its records) alive
 * through every young collection until the next full one, which then has to promote it.
 * Taking the value out of the box lets the batch die young. On a 19,760-record run this
 * took the young collections from 105 MB of surviving data to 9 MB.
 */
export interface Handoff<T> {
  value: T | undefined;
}

export function handoff<T>(value: T): Handoff<T> {
  return { value };
}

/** The value, leaving the box empty. */
export function take<T>(box: Handoff<T>): T {
  const value = box.value as T;
  box.value = undefined;
  return value;
}
