// The training text for the default bundle's tiny tokenizers: HunyuanVideo's prompt template
// plus prompts about simple coloured shapes that move, bounce, grow, rotate or change colour,
// the kind of prompts the default model is trained on. Deterministic (seeded).
import { SeededRandom } from '../../daemon/weights/seeded.js';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'pink', 'white', 'black', 'gray', 'cyan', 'brown'];
const SHAPES = ['circle', 'square', 'triangle', 'star', 'rectangle', 'ball', 'box', 'diamond', 'ring', 'dot'];
const SIZES = ['small', 'large', 'big', 'tiny', 'medium'];
const DIRECTIONS = ['left', 'right', 'up', 'down'];
const MOTIONS = [
  (d: string) => `moves ${d}`,
  (d: string) => `moves to the ${d}`,
  (d: string) => `slides ${d}`,
  (d: string) => `moves slowly ${d}`,
  (d: string) => `moves quickly ${d}`,
  () => 'bounces',
  () => 'bounces up and down',
  () => 'bounces off the edges',
  () => 'grows',
  () => 'grows bigger',
  () => 'shrinks',
  () => 'rotates',
  () => 'rotates clockwise',
  () => 'rotates counterclockwise',
  () => 'spins',
  () => 'falls',
  () => 'jumps',
  () => 'stays still',
  () => 'fades in',
  () => 'fades out',
];

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[Math.floor(rng.uniform() * items.length)]!;
}

function shapePhrase(rng: SeededRandom): string {
  const size = rng.uniform() < 0.4 ? `${pick(rng, SIZES)} ` : '';
  return `${size}${pick(rng, COLOURS)} ${pick(rng, SHAPES)}`;
}

function motionPhrase(rng: SeededRandom): string {
  const r = rng.uniform();
  if (r < 0.12) return `changes ${rng.uniform() < 0.5 ? 'colour' : 'color'} from ${pick(rng, COLOURS)} to ${pick(rng, COLOURS)}`;
  if (r < 0.2) return `turns ${pick(rng, COLOURS)}`;
  return pick(rng, MOTIONS)(pick(rng, DIRECTIONS));
}

/** One prompt, in one of a few sentence shapes. */
function prompt(rng: SeededRandom): string {
  const bg = `on a ${pick(rng, COLOURS)} background`;
  const r = rng.uniform();
  if (r < 0.45) return `a ${shapePhrase(rng)} ${motionPhrase(rng)} ${bg}`;
  if (r < 0.65) return `the ${shapePhrase(rng)} ${motionPhrase(rng)}`;
  if (r < 0.8) return `a ${shapePhrase(rng)} and a ${shapePhrase(rng)} ${rng.uniform() < 0.5 ? 'move apart' : 'move together'} ${bg}`;
  if (r < 0.9) return `A ${shapePhrase(rng)} ${motionPhrase(rng)}, then ${motionPhrase(rng)}.`;
  return `two ${pick(rng, COLOURS)} ${pick(rng, SHAPES)}s ${motionPhrase(rng).replace(/^(\w+)s\b/, '$1')} ${bg}`;
}

export function shapePrompts(count: number, seed = 1234): string[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: count }, () => prompt(rng));
}
