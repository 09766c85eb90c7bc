// Python's rounding rules on doubles. The official demos compute section counts, resize sizes and
// crop boxes with Python's round() (ties to even) and int() (truncation toward zero); JavaScript's
// Math.round rounds ties up, which changes e.g. the section count for 3.0 s (2.5 → 2, not 3).

/**
 * Python 3 `round(x)` for a float: the nearest integer, ties to the even neighbour. The tie test
 * is exact because `x - floor(x)` is exact in binary floating point for every finite double.
 */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`pyRound: cannot round ${x}`);
  const floor = Math.floor(x);
  const frac = x - floor;
  if (frac < 0.5) return floor;
  if (frac > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Python `int(x)` for a float: truncation toward zero. */
export function pyInt(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`pyInt: cannot convert ${x}`);
  return Math.trunc(x) + 0; // + 0 turns -0 into 0
}

/** Python `a // b` on integers: floor division (differs from truncation for negative operands). */
export function pyFloorDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('pyFloorDiv: division by zero');
  return Math.floor(a / b) + 0;
}
