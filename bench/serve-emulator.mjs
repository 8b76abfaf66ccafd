// The emulator as the bench sees it: the built app in its own process.
import { buildApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';

const app = await buildApp(loadConfig(process.env));
const url = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(`listening ${url}`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
