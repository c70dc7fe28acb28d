#!/usr/bin/env node
// TEST CODE: the executable of the dbt stand-in (see dbtRun.ts beside it). A plan's dbtCommand points here:
// [process.execPath, 'test/dbt-standin/dbt.mjs']. It registers tsx to load the TypeScript it shares with the product
// (the selector, the manifest reader) as the tests do (CommonJS), then runs `main(argv)` and exits with its code.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const { main } = createRequire(import.meta.url)('./dbtRun.ts');
process.exitCode = await main(process.argv.slice(2));
