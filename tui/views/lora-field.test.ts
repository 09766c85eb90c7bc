import { describe, expect, it } from 'vitest';
import { buildSpec, valuesFromSpec } from './form-state.js';
import { formatLoraField, parseLoraField } from './lora-field.js';

describe('the form’s LoRA field', () => {
  it('reads comma-separated FILE[:STRENGTH] into JobSpec.loras', () => {
    const values = { ...valuesFromSpec({}), image: '/in.png', loras: '/l/blue.safetensors:0.8, /l/style.safetensors' };
    const built = buildSpec(values);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.spec.loras).toEqual([{ path: '/l/blue.safetensors', strength: 0.8 }, { path: '/l/style.safetensors', strength: 1 }]);
  });

  it('leaves loras out when the field is empty', () => {
    const built = buildSpec({ ...valuesFromSpec({}), image: '/in.png' });
    expect(built.ok && built.spec.loras).toBe(undefined);
  });

  it('refuses relative paths and bad strengths on the field', () => {
    const rel = buildSpec({ ...valuesFromSpec({}), image: '/in.png', loras: 'blue.safetensors' });
    expect(rel.ok ? null : rel.errors.loras).toBe('must be an absolute path (got blue.safetensors)');
    const big = parseLoraField('/a.safetensors:20');
    expect(big.ok ? null : big.error).toMatch(/between -10 and 10/);
  });

  it('a copied job shows its LoRAs as typed', () => {
    expect(valuesFromSpec({ loras: [{ path: '/a.safetensors', strength: 0.5 }, { path: '/b.safetensors' }] }).loras).toBe('/a.safetensors:0.5, /b.safetensors');
    expect(formatLoraField(undefined)).toBe('');
  });
});
