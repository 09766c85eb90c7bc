// `npx tsx scripts/train-tiny-tokenizer.ts [--out DIR]`: trains the default bundle's tiny Llama-
// and CLIP-format tokenizers (512 ids each) on the prompt template plus generated shape-motion
// prompts, and writes DIR/llama/tokenizer.json and DIR/clip/tokenizer.json (default
// models/tokenizers-src, which the bundle builder copies). Deterministic: rerunning rewrites
// identical files.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HUNYUAN_VIDEO_PROMPT_TEMPLATE } from '../daemon/models/tokenizer/prompt-encoding.js';
import { shapePrompts } from './tiny-tokenizer/corpus.js';
import { buildTinyClipTokenizer, buildTinyLlamaTokenizer } from './tiny-tokenizer/build-files.js';

export const TINY_TOKENIZERS_DIR = path.resolve(import.meta.dirname, '..', 'models', 'tokenizers-src');
const PROMPT_COUNT = 4000;
// The template is tokenized with every prompt, but it is cropped away; weighting it like 100
// prompts keeps most of the merge budget for prompt words.
const TEMPLATE_WEIGHT = 100;

/** The two tokenizer.json documents, serialized as written to disk. */
export function tinyTokenizerFiles(): { llama: string; clip: string } {
  const prompts = shapePrompts(PROMPT_COUNT);
  const template = HUNYUAN_VIDEO_PROMPT_TEMPLATE.replace('{}', '');
  const llamaTexts = [...prompts, ...new Array<string>(TEMPLATE_WEIGHT).fill(template)];
  return {
    llama: `${JSON.stringify(buildTinyLlamaTokenizer(llamaTexts), null, 2)}\n`,
    clip: `${JSON.stringify(buildTinyClipTokenizer(prompts), null, 2)}\n`,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: TINY_TOKENIZERS_DIR } } });
  const files = tinyTokenizerFiles();
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(values.out!, name, 'tokenizer.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    process.stdout.write(`wrote ${file} (${text.length} bytes)\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
