import { benchPrecision } from './scripts/bench/precision-bench.js';
const t = performance.now();
console.log(JSON.stringify(await benchPrecision({ attention: (process.argv[2] as 'fused') ?? 'fused' })));
console.log('total s', ((performance.now() - t) / 1000).toFixed(1));
