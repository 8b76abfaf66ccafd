import Type from 'typebox';

/**
 * The X-0G-Provider-* request headers (contract §9.2, §18.8), declared so the
 * OpenAPI document lists them. Any string passes the schema: the routing code
 * parses them strictly and answers a malformed one with the Router's own
 * code (invalid_provider_header, invalid_trust_mode, invalid_max_price_usd).
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
