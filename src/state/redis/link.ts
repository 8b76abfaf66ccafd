import { createHash } from 'node:crypto';
import type { createClient, RedisArgument } from '@redis/client';

import { StateUnavailableError } from '../unavailable.js';

export { StateUnavailableError };

/** A Lua script, run by its SHA1 (loaded on first use and after a Redis restart). */
export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

export interface RedisLinkOptions {
  url: string;
  /** Namespaces every key, so several emulators can share one Redis. */
  prefix: string;
  commandTimeoutMs: number;
  /** Told when the link goes down or comes back (the logger, /readyz). */
  onStatus?: (ok: boolean, reason: string | undefined) => void;
}

export type Arg = string | number | Buffer;

type CreateClient = typeof createClient;

/**
 * One node-redis client shared by every store. Commands are never queued
 * while Redis is down (they fail at once rather than hang), each has a
 * timeout, and the client reconnects by itself with a capped backoff.
 */
export class RedisLink {
  readonly prefix: string;
  #client: ReturnType<typeof createClient>;
  #reason: string | undefined = 'connecting';
  readonly #timeoutMs: number;

  /** node-redis is loaded here, on first use: a server without REDIS_URL never parses its 650 KB. */
  static async open(options: RedisLinkOptions): Promise<RedisLink> {
    const { createClient } = await import('@redis/client');
    return new RedisLink(options, createClient);
  }

  private constructor(
    private readonly options: RedisLinkOptions,
    createClient: CreateClient,
  ) {
    this.prefix = options.prefix;
    this.#timeoutMs = options.commandTimeoutMs;
    this.#client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(1000, options.commandTimeoutMs),
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 5), 1000),
      },
    });
    // Without a listener an 'error' event would crash the process.
    this.#client.on('error', (err: Error) => this.#down(err.message || err.name));
    this.#client.on('ready', () => this.#up());
    this.#client.on('end', () => this.#down('connection closed'));
  }

  /**
   * Starts connecting; resolves once Redis answers, rejects if it does not
   * within the timeout. Either way the client keeps trying in the background.
   */
  async connect(): Promise<void> {
    const connected = this.#client.connect().then(() => undefined);
    // Rejected only when the link is closed while connecting.
    connected.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const waitMs = Math.max(1000, this.#timeoutMs);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StateUnavailableError(`no answer from Redis within ${waitMs} ms (${this.#reason})`)), waitMs);
    });
    try {
      await Promise.race([connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await this.send(['PING']);
  }

  key(...parts: (string | number)[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  status(): { ok: true } | { ok: false; reason: string } {
    return this.#reason === undefined && this.#client.isReady ? { ok: true } : { ok: false, reason: `redis: ${this.#reason ?? 'not connected'}` };
  }

  async send<T = unknown>(args: readonly Arg[]): Promise<T> {
    if (!this.#client.isReady) throw new StateUnavailableError(this.status().ok ? 'not connected' : (this.status() as { reason: string }).reason);
    // node-redis times out only commands still waiting to be written; a written
    // command whose answer never comes (Redis stopped, a slow script) would hang.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StateUnavailableError(`command timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      const reply = (await Promise.race([this.#client.sendCommand(args.map(toArgument)), timeout])) as T;
      if (this.#reason !== undefined && this.#client.isReady) this.#up();
      return reply;
    } catch (err) {
      const e = this.#unavailable(err);
      if (e instanceof StateUnavailableError) this.#down(e.message.replace('state store unavailable: ', ''));
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a script atomically; `keys` must be every key it touches. */
  async script<T = unknown>(script: LuaScript, keys: readonly string[], args: readonly Arg[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.send<T>(['EVALSHA', script.sha, ...tail]);
    } catch (err) {
      if (!(err instanceof RedisReplyError) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.send<T>(['EVAL', script.source, ...tail]);
    }
  }

  async close(): Promise<void> {
    this.#reason = 'closed';
    try {
      if (this.#client.isOpen) await this.#client.close();
    } catch {
      this.#client.destroy();
    }
  }

  #unavailable(err: unknown): Error {
    const e = err as Error;
    // A script's own error (or a wrong command) is a bug, not an outage: surface it as is.
    if (e instanceof StateUnavailableError) return e;
    if (e?.constructor?.name === 'ErrorReply' || e?.constructor?.name === 'SimpleError' || e?.constructor?.name === 'BlobError') {
      return new RedisReplyError(e.message);
    }
    return new StateUnavailableError(e?.message ?? String(err));
  }

  #down(reason: string): void {
    if (this.#reason === 'closed') return;
    const was = this.#reason;
    this.#reason = reason;
    if (was === undefined) this.options.onStatus?.(false, reason);
  }

  #up(): void {
    if (this.#reason === 'closed') return;
    const was = this.#reason;
    this.#reason = undefined;
    if (was !== undefined && was !== 'connecting') this.options.onStatus?.(true, undefined);
  }
}

/** An error Redis answered with (a script's redis.error_reply, NOSCRIPT, WRONGTYPE). */
export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

function toArgument(a: Arg): RedisArgument {
  return typeof a === 'number' ? String(a) : a;
}
