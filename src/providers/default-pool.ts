import type { PoolSpec } from './types.js';

/**
 * The pool a fresh `npm start` serves. Prices, latencies and trust modes differ
 * on purpose so that sorting, pinning and trust floors all have something to
 * choose between; one provider is unhealthy and one has a bad TEE signer.
 * `z-image` is cheapest at Aurora, so an unpinned request lands there; only
 * Aurora and Borealis advertise `seed`, only Borealis `negative_prompt`
 * (X-0G-Provider-Require-Parameters has something to filter).
 */
export const DEFAULT_POOL: PoolSpec = {
  models: [
    {
      id: 'z-image',
      name: 'Z-Image Turbo',
      description: 'Text-to-image. Any WxH from 64 to 2048 per side; default 1024x1024.',
      serviceType: 'text-to-image',
      defaultSize: '1024x1024',
      createdS: 1767225600,
    },
    {
      id: 'z-image-turbo',
      name: 'Z-Image Turbo (capped)',
      description: 'Text-to-image. At most 2 images per request: n > 2 returns 2 images, not an error, and bills 2.',
      serviceType: 'text-to-image',
      defaultSize: '1024x1024',
      maxImagesPerRequest: 2,
      createdS: 1767225600,
    },
    {
      id: 'flux-1-schnell',
      name: 'FLUX.1 [schnell]',
      description: 'Text-to-image. Sizes: 256x256, 512x512, 1024x1024.',
      serviceType: 'text-to-image',
      supportedSizes: ['256x256', '512x512', '1024x1024'],
      defaultSize: '1024x1024',
      createdS: 1767225600,
    },
    {
      id: 'qwen-image-edit',
      name: 'Qwen-Image-Edit',
      description: 'Image editing. Sizes: 512x512, 1024x1024.',
      serviceType: 'image-editing',
      supportedSizes: ['512x512', '1024x1024'],
      defaultSize: '1024x1024',
      createdS: 1767225600,
    },
  ],
  providers: [
    {
      address: '0xa11ce0000000000000000000000000000000a001',
      name: 'Aurora Compute',
      identity: 'aurora',
      country: 'SG',
      servingDomain: 'aurora.provider.example',
      trustMode: 'verified',
      latencyMs: 900,
      uptime: 99.9,
      healthy: true,
      signsResponses: true,
      teeSignerValid: true,
      models: [
        { id: 'z-image', priceNeuron: '3000000000000000', supportedParameters: ['prompt', 'n', 'size', 'response_format', 'seed'] },
        { id: 'z-image-turbo', priceNeuron: '135100000000000000' },
        { id: 'flux-1-schnell', priceNeuron: '2500000000000000' },
      ],
    },
    {
      address: '0xb0b0000000000000000000000000000000000b02',
      name: 'Borealis Labs',
      identity: 'aliyun',
      country: 'DE',
      servingDomain: 'borealis.provider.example',
      trustMode: 'private',
      latencyMs: 1500,
      uptime: 99.5,
      healthy: true,
      signsResponses: true,
      teeSignerValid: true,
      models: [
        { id: 'z-image', priceNeuron: '4500000000000000', supportedParameters: ['prompt', 'n', 'size', 'response_format', 'seed', 'negative_prompt'] },
        { id: 'qwen-image-edit', priceNeuron: '5000000000000000' },
      ],
    },
    {
      address: '0xc1c1000000000000000000000000000000000c03',
      name: 'Cirrus Nodes',
      identity: 'cirrus',
      country: 'US',
      servingDomain: 'cirrus.provider.example',
      trustMode: 'standard',
      latencyMs: 600,
      uptime: 98.7,
      healthy: true,
      signsResponses: false,
      teeSignerValid: false,
      models: [
        { id: 'z-image', priceNeuron: '3500000000000000' },
        { id: 'flux-1-schnell', priceNeuron: '2000000000000000' },
        { id: 'qwen-image-edit', priceNeuron: '6000000000000000' },
      ],
    },
    {
      address: '0xd0d0000000000000000000000000000000000d04',
      name: 'Delta GPU',
      identity: 'delta',
      country: 'JP',
      servingDomain: 'delta.provider.example',
      trustMode: 'verified',
      latencyMs: 400,
      uptime: 91.2,
      healthy: false,
      signsResponses: true,
      teeSignerValid: false,
      models: [{ id: 'flux-1-schnell', priceNeuron: '2800000000000000' }],
    },
  ],
};
