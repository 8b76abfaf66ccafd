import { writeFileSync } from 'node:fs';
import { buildApp } from './app.js';
import { defaultConfig } from './config.js';

/** `npm run openapi`: writes openapi.yaml from the same schemas that validate requests. */
export async function renderOpenapi(): Promise<string> {
  const app = await buildApp(defaultConfig({ logLevel: 'silent' }));
  await app.ready();
  const yaml = app.swagger({ yaml: true });
  await app.close();
  return yaml;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../openapi.yaml', import.meta.url), await renderOpenapi());
  console.log('wrote openapi.yaml');
}
