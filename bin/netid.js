#!/usr/bin/env node
// The `netid` command: runs src/main.ts on the Node LTS this package depends on (the `node` npm
// package), whatever Node started this shim.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const nodeBinary = require.resolve('node/bin/node');
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const result = spawnSync(nodeBinary, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
