import Type, { type Static } from 'typebox';
import { ADDRESS_PATTERN } from '../lib/ids.js';

/** The Router's API-key shapes (`/v1/api-keys`, contract §2); amounts are decimal 0G (or USD) as its spec says. */
const TrustModeOrEmpty = Type.Enum(['standard', 'verified', 'private', '']);
const ResetPeriod = Type.Enum(['never', 'daily', 'weekly', 'monthly', ''], {
  description: 'when `used` restarts from zero; "" is never',
});
const Decimal = Type.String({ pattern: '^[0-9]{1,15}(\\.[0-9]{1,18})?$', description: 'decimal 0G (USD for USD accounts)', examples: ['1.5'] });
const ModelIds = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 100 });
const ProviderAddresses = Type.Array(Type.String({ pattern: ADDRESS_PATTERN }), { maxItems: 100 });
const KeyName = Type.String({ maxLength: 128 });
const Expiration = Type.String({ maxLength: 64, description: 'RFC 3339 time, "no_expiration" or ""' });

export const CreateApiKeyRequest = Type.Object(
  {
    name: Type.Optional(KeyName),
    allowed_models: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100, description: 'only these models; omit for all (an empty list is rejected)' })),
    allowed_providers: Type.Optional(Type.Array(Type.String({ pattern: ADDRESS_PATTERN }), { minItems: 1, maxItems: 100, description: 'only these provider addresses; omit for all' })),
    credit_limit: Type.Optional(Decimal),
    trust_mode: Type.Optional(TrustModeOrEmpty),
    expiration: Type.Optional(Expiration),
    reset_period: Type.Optional(ResetPeriod),
  },
  { title: 'CreateAPIKeyRequest', additionalProperties: false },
);

export const UpdateApiKeyRequest = Type.Object(
  {
    name: Type.Optional(KeyName),
    allowed_models: Type.Optional(ModelIds),
    allowed_providers: Type.Optional(ProviderAddresses),
    credit_limit: Type.Optional(Type.Union([Decimal, Type.Literal('')], { description: '"" removes the limit' })),
    trust_mode: Type.Optional(TrustModeOrEmpty),
    expiration: Type.Optional(Expiration),
    reset_period: Type.Optional(ResetPeriod),
  },
  { title: 'UpdateAPIKeyRequest', additionalProperties: false, description: 'sparse: an absent field is unchanged; [] clears an allowlist' },
);

const itemFields = {
  key_id: Type.String({ examples: ['key_0123456789abcdef'] }),
  key_preview: Type.String({ examples: ['sk-abcde…'] }),
  name: Type.String(),
  status: Type.Enum(['active', 'revoked', 'expired']),
  revoked: Type.Boolean(),
  allowed_models: Type.Array(Type.String(), { description: '[] means no restriction' }),
  allowed_providers: Type.Array(Type.String()),
  credit_limit: Type.Optional(Type.String({ description: 'absent: unlimited' })),
  used: Type.String({ description: 'spent in the current reset period, same unit as credit_limit' }),
  currency: Type.Enum(['0g', 'usd']),
  reset_period: Type.String(),
  trust_mode: Type.Optional(Type.String({ description: 'absent: no trust-tier pin' })),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.Optional(Type.String({ format: 'date-time' })),
};

export const ApiKeyItem = Type.Object(itemFields, { title: 'APIKeyItem' });
export const CreateApiKeyResponse = Type.Object(
  { ...itemFields, key: Type.String({ description: 'the secret: shown only in this response' }) },
  { title: 'CreateAPIKeyResponse' },
);
export const ApiKeyList = Type.Object({ object: Type.Literal('list'), data: Type.Array(ApiKeyItem) }, { title: 'APIKeyListResponse' });
export const RevokeApiKeyResponse = Type.Object({ key_id: Type.String(), message: Type.String() }, { title: 'RevokeAPIKeyResponse' });

export const ApiKeyParams = Type.Object({ keyId: Type.String({ maxLength: 64 }) });
export const ApiKeyListQuery = Type.Object({
  status: Type.Optional(
    Type.Enum(['active', 'revoked', 'expired', 'all', ''], { description: 'default all' }),
  ),
});

export type CreateApiKeyBody = Static<typeof CreateApiKeyRequest>;
export type UpdateApiKeyBody = Static<typeof UpdateApiKeyRequest>;
export type ApiKeyItemBody = Static<typeof ApiKeyItem>;
export type CreateApiKeyResponseBody = Static<typeof CreateApiKeyResponse>;
