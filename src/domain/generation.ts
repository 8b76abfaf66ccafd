import type { MockProvider } from '../providers/mock-provider.js';
import type { ProviderPool } from '../providers/pool.js';
import type { Trace } from '../schemas/common.js';
import type { ImageGenerationResponseBody } from '../schemas/images.js';
import type { ImageLinks } from '../store/image-links.js';
import type { LedgerService } from './ledger.js';
import { b64Json } from '../lib/image-json.js';
import { imageBilling } from './billing.js';
import { imageSetOf, type ImageJobSpec } from './image-request.js';
import type { FaultRules } from './fault-rules.js';
import { faultPointOf, requestStage, serveFirst } from './fault-points.js';
import type { Fault } from './faults.js';
import type { ApiKeyRecord } from './accounts.js';
import { admitKey, checkModelAllowed, usedNow } from './key-restrictions.js';
import { rankCandidates } from './routing.js';

export interface GenerationServices {
  config: { usdPer0g: number };
  pool: ProviderPool;
  provider(address: string): MockProvider;
  imageLinks: ImageLinks;
  ledger: LedgerService;
  faults: FaultRules;
  clock: { nowMs(): number };
}

export interface RequestContext {
  requestId: string;
  keyId: string;
  /** The ledger account charged: the key's own id, or its managed account. */
  accountId: string;
  /** A managed account's key: its restrictions apply. */
  key?: ApiKeyRecord;
  /** `http://host:port` as the client reached us, for served image URLs. */
  baseUrl: string;
  /** The route pattern, for fault rules. */
  route: string;
  headerFault?: Fault;
}

export interface GenerationOutcome {
  body: ImageGenerationResponseBody;
  headers: Record<string, string>;
}

/**
 * Admission before routing: the key's model allowlist (403), then the
 * account's balance and the key's credit limit, each against min_cost (402).
 */
export async function admit(ledger: LedgerService, ctx: Pick<RequestContext, 'accountId' | 'key'>, modelId: string, nowMs: number): Promise<void> {
  const key = ctx.key;
  if (key) checkModelAllowed(key.restrictions, modelId);
  const account = await ledger.admit(ctx.accountId);
  if (key?.restrictions.creditLimit !== undefined) {
    const spent = usedNow(await ledger.store.keySpend(key.keyId), key.resetPeriod, nowMs);
    admitKey(key.restrictions, spent, ledger.minCost(account.currency));
  }
}

/** Sync generations and edits: route, call the provider, book the charge, answer with the trace. */
export async function runSync(svc: GenerationServices, spec: ImageJobSpec, ctx: RequestContext): Promise<GenerationOutcome> {
  await admit(svc.ledger, ctx, spec.model.id, svc.clock.nowMs());
  const point = faultPointOf(ctx, spec.model.id);
  await requestStage(svc.faults, point);
  const candidates = rankCandidates(svc.pool, spec.model.id, spec.prefs, svc.config.usdPer0g, ctx.key?.restrictions);
  const { endpoint, result } = await serveFirst(svc.faults, point, candidates, (e) =>
    svc.provider(e.provider.address).generate(spec.forward, imageSetOf(spec), ctx.requestId, spec.headers),
  );
  const images = result.body.data;
  // The provider's usage.output_images is what the Router bills on (contract §5.1).
  const booked = await svc.ledger.book(ctx.accountId, {
    apiKeyId: ctx.keyId,
    trustMode: endpoint.provider.trustMode,
    requestId: ctx.requestId,
    model: spec.model.id,
    provider: endpoint.provider.address,
    images: result.body.usage.output_images,
    amountNeuron: endpoint.priceNeuron * BigInt(result.body.usage.output_images),
    atMs: svc.clock.nowMs(),
  });
  let data: ImageGenerationResponseBody['data'] = images.map((image) => ({ b64_json: b64Json(image.b64_json) }));
  if (spec.responseFormat === 'url') {
    const set = imageSetOf(spec);
    const linkId = await svc.imageLinks.put(
      ctx.requestId,
      images.map((_, index) => ({ ...set, index, providerAddress: endpoint.provider.address })),
    );
    data = images.map((_, i) => ({ url: `${ctx.baseUrl}/v1/proxy/images/${linkId}/${i}` }));
  }
  const trace: Trace = { request_id: ctx.requestId, provider: endpoint.provider.address, billing: imageBilling(booked.amount, booked.currency) };
  if (spec.verifyTee) trace.tee_verified = endpoint.provider.teeSignerValid;
  // X-Provider (contract §18.10): the address the Router routed to, beside ZG-Res-Key.
  const headers: Record<string, string> = { 'x-provider': endpoint.provider.address };
  if (result.resKey) headers['zg-res-key'] = result.resKey;
  return {
    headers,
    body: { created: result.body.created, data, model: spec.model.id, usage: { output_images: images.length }, x_0g_trace: trace },
  };
}
