#!/usr/bin/env node
// yunwang-agent cloud|network|exchange: runs the TypeScript sources through tsx. Containers run the
// single-file builds instead (npm run build:agents → dist/agents/).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../agents/main.ts');
process.exit(await main(process.argv.slice(2)));
