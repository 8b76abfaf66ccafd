import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Which sockets are open and how many requests each is serving, so shutdown
 * can close the idle ones at once (pooled keep-alive connections, a socket
 * that never sent a request) and wait only for real work. Node's own
 * closeIdleConnections() misses sockets that have not sent a request yet.
 */
export class ConnectionTracker {
  readonly #inFlight = new Map<Socket, number>();
  #draining = false;

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#inFlight.set(socket, 0);
      socket.once('close', () => this.#inFlight.delete(socket));
    });
    server.on('request', (req, res) => {
      const socket = req.socket;
      this.#inFlight.set(socket, (this.#inFlight.get(socket) ?? 0) + 1);
      res.once('close', () => {
        const left = (this.#inFlight.get(socket) ?? 1) - 1;
        if (this.#inFlight.has(socket)) this.#inFlight.set(socket, left);
        // The answer carried `connection: close`; this covers a client that ignores it.
        if (this.#draining && left === 0) socket.end();
      });
    });
  }

  /** Requests received and not yet answered, over all sockets. */
  get requestsInFlight(): number {
    let n = 0;
    for (const count of this.#inFlight.values()) n += count;
    return n;
  }

  /** From now on every socket closes once idle; the idle ones close now. Returns how many that was. */
  drain(): number {
    this.#draining = true;
    let closed = 0;
    for (const [socket, count] of this.#inFlight) {
      if (count > 0) continue;
      socket.destroy();
      closed++;
    }
    return closed;
  }
}
