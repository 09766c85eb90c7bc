// `npx tsx scripts/write-tiny-official.ts DIR`: writes the default bundle's trained tiny model
// (trained VAE and transformer, seeded encoders) as official-layout bf16 checkpoints under DIR, the
// input `framepack models import --from DIR` expects. With the importer's full preset (640-class
// buckets) this is the memory benchmark of docs/benchmarks.md ("VAE spatial tiling").
import path from 'node:path';
import { componentDefinitions } from '../daemon/models/bundle/definitions.js';
import { defaultBundleOfficialOptions, writeTinyOfficialCheckpoints } from '../daemon/models/manage/tiny-official.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx scripts/write-tiny-official.ts DIR');
  process.exit(2);
}
const files = await writeTinyOfficialCheckpoints(path.resolve(dir), {
  definitions: componentDefinitions, dtype: 'bfloat16', clipVocabMerges: true, ...await defaultBundleOfficialOptions(),
});
console.log(`wrote ${files.length} files under ${path.resolve(dir)}`);
