import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Which sockets are open, and which are serving a request, so shutdown can
 * close the idle ones at once (pooled keep-alive connections, a socket that
 * never sent a request) and wait only for real work. Node's own
 * closeIdleConnections() misses sockets that have not sent a request yet.
 *
 * Busy means Node is answering on the socket: it sets `socket._httpMessage` to
 * each request's response as soon as the request's headers are parsed, and
 * clears it when the response finishes (undocumented, unchanged since Node
 * 0.x, and what http-terminator relies on too). Read at shutdown, it costs
 * nothing per request; listeners per request (a `request` handler and a
 * `close` handler on each response) cost ~1% of a small request's CPU.
 */
export class ConnectionTracker {
  readonly #sockets = new Set<Socket>();

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  /** Sockets with a request being answered (a pipelined request waiting behind another is not counted). */
  get requestsInFlight(): number {
    let n = 0;
    for (const socket of this.#sockets) if (responseOn(socket)) n++;
    return n;
  }

  /** Closes the idle sockets now and each busy one once its answers are out. Returns how many were idle. */
  drain(): number {
    let closed = 0;
    for (const socket of this.#sockets) {
      if (responseOn(socket)) {
        // Answers sent from now on carry `connection: close`; this covers one already on its way, and a client that ignores it.
        endWhenIdle(socket);
        continue;
      }
      socket.destroy();
      closed++;
    }
    return closed;
  }
}

const responseOn = (socket: Socket): ServerResponse | undefined => (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;

function endWhenIdle(socket: Socket): void {
  const res = responseOn(socket);
  if (res) res.once('close', () => endWhenIdle(socket));
  else socket.end();
}
