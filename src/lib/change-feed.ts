/**
 * Tells listeners (the console's event streams) that emulator state may have
 * changed. It carries no payload: a listener re-reads state through the same
 * services the control routes use, so it never shows a second version of it.
 * With no listener, notify() is a loop over an empty set on the request path.
 */
export class ChangeFeed {
  readonly #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
