import Type from 'typebox';

/**
 * The X-0G-Provider-* request headers (contract §9.2, §18.8), declared so the
 * OpenAPI document lists them. Only the document carries them (routes opt in
 * with ROUTED, see routes/declared-statuses.ts): the routing code parses them strictly
 * and answers a malformed one with the Router's own code, and a header
 * validator per route would only lengthen start-up.
 */
const header = (description: string) => Type.Optional(Type.String({ description }));

export const ROUTING_HEADERS = Type.Object(
  {
    'X-0G-Provider-Address': header('Pin a provider (0x + 40 hex); fallbacks then default to false'),
    'X-0G-Provider-Sort': header('`price` (default) or `latency`; ignored when pinned'),
    'X-0G-Provider-Trust-Mode': header('Trust floor: `standard` < `verified` < `private`'),
    'X-0G-Provider-Allow-Fallbacks': header('`true` | `false`: try the next provider after a failure'),
    'X-0G-Provider-Identity': header('Provider channel label (case-sensitive), e.g. `aliyun`'),
    'X-0G-Provider-Max-Price-Usd-Image': header('Highest USD price per generated image'),
    'X-0G-Provider-Max-Price-Usd-Prompt': header('USD per 1M prompt tokens: accepted, inert on image routes'),
    'X-0G-Provider-Max-Price-Usd-Completion': header('USD per 1M completion tokens: accepted, inert on image routes'),
    'X-0G-Provider-Require-Parameters': header('`true` | `false`: only providers advertising every request parameter qualify (400 model_not_capable if none)'),
  },
  { additionalProperties: true },
);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes the X-0G-Provider-* headers: the OpenAPI document lists them. */
    routingHeaders?: boolean;
  }
}

/** Route `config` of the routes that read the routing headers. */
export const ROUTED = { routingHeaders: true } as const;
