import Type, { type Static } from 'typebox';

/** `{"error":{"message","type","code"},"request_id"}`: the only error body on the wire (contract §11). */
export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      message: Type.String(),
      type: Type.String({ examples: ['invalid_request_error'] }),
      code: Type.String({ examples: ['invalid_body'] }),
    }),
    request_id: Type.Optional(Type.String()),
  },
  { title: 'ErrorEnvelope', description: 'OpenAI-style error envelope used by the 0G Router' },
);

export const BillingInfo = Type.Object(
  {
    input_cost: Type.String({ description: 'integer neuron (1 0G = 10^18)', examples: ['0'] }),
    output_cost: Type.String({ examples: ['3000000000000000'] }),
    total_cost: Type.String({ examples: ['3000000000000000'] }),
    currency: Type.Optional(Type.Literal('usd', { description: 'present only for USD-settled accounts (micro-USD)' })),
  },
  { title: 'BillingInfo' },
);

export const TraceInfo = Type.Object(
  {
    request_id: Type.String(),
    provider: Type.String({ description: 'address of the provider that served the request' }),
    billing: Type.Optional(BillingInfo),
    tee_verified: Type.Optional(Type.Boolean({ description: 'present only when verify_tee was requested' })),
  },
  { title: 'TraceInfo' },
);

export type ErrorEnvelopeBody = Static<typeof ErrorEnvelope>;
export type Trace = Static<typeof TraceInfo>;
export type Billing = Static<typeof BillingInfo>;

/** Error statuses a route can answer with, each documented with the envelope. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorEnvelope> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorEnvelope]));
}
